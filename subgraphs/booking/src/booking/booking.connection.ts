import { connectionType } from '@atrium/kit/subgraph';
import { ObjectType } from 'type-graphql';
import { Booking } from './booking.entity';

@ObjectType()
export class BookingConnection extends connectionType(Booking, 'Booking') {}
