import { Money } from '@atrium/kit/subgraph';
import { Field, Int, ObjectType } from 'type-graphql';
import { DateScalar } from '../common/date.scalar';

@ObjectType({ description: 'What happened on one UTC day.' })
export class DailyStats {
  @Field(() => DateScalar)
  date!: string;

  @Field(() => Int, { description: 'Bookings created (booking.created)' })
  bookings!: number;

  @Field(() => Int, { description: 'Bookings cancelled (booking.cancelled)' })
  cancellations!: number;

  @Field(() => Int, { description: 'Bookings confirmed by a payment (booking.confirmed)' })
  confirmed!: number;

  @Field(() => [Money], { description: 'Payments succeeded minus refunds, one entry per currency' })
  revenue!: Money[];

  @Field(() => Int, { description: 'Users registered (user.registered)' })
  newUsers!: number;
}
