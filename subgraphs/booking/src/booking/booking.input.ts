import { Max, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { BookingStatus } from './booking.entity';

@InputType()
export class CreateBookingInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => Date, { description: 'On a whole minute, in the future' })
  startsAt!: Date;

  @Field(() => Date, { description: 'Exclusive; at least 15 minutes and at most 14 days after startsAt (configurable)' })
  endsAt!: Date;
}

/** `(status, first, after)` in the contract's order (extending kit's `PageArgs` would put `status` last); `first`/`after` behave as `PageArgs`. */
@ArgsType()
export class BookingListArgs {
  @Field(() => BookingStatus, { nullable: true, description: 'Only bookings in this status' })
  status?: BookingStatus | null;

  @Field(() => Int, { defaultValue: 20, description: 'Page size, 1 to 100' })
  @Min(1)
  @Max(100)
  first!: number;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page' })
  after?: string | null;
}
