import { connectionType } from '@atrium/kit/subgraph';
import { Directive, ObjectType } from 'type-graphql';
import { Booking } from './booking.entity';

@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType()
export class BookingConnection extends connectionType(Booking, 'Booking') {}
