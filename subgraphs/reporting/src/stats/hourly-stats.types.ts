import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'What happened in one UTC hour (from the audit trail).' })
export class HourlyStats {
  @Field(() => Date, { description: 'Start of the hour.' })
  hour!: Date;

  @Field(() => Int, { description: 'Bookings created (booking.created)' })
  bookings!: number;

  @Field(() => Int, { description: 'Bookings confirmed by a payment (booking.confirmed)' })
  confirmed!: number;

  @Field(() => Int, { description: 'Bookings cancelled (booking.cancelled)' })
  cancellations!: number;
}
