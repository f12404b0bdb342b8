import { PageAfter, PageSize } from '@atrium/kit/subgraph';
import { ArgsType, Field, ID, InputType } from 'type-graphql';
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

/** `(status, first, after)` in the contract's order (extending kit's `PageArgs` would put `status` last); `first`/`after` are `PageArgs`' own. */
@ArgsType()
export class BookingListArgs {
  @Field(() => BookingStatus, { nullable: true, description: 'Only bookings in this status' })
  status?: BookingStatus | null;

  @PageSize()
  first!: number;

  @PageAfter()
  after?: string | null;
}
