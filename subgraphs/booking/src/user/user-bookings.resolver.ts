import { Authenticated, loader, type Connection } from '@atrium/kit/subgraph';
import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { BookingConnection } from '../booking/booking.connection';
import type { Booking } from '../booking/booking.entity';
import { BookingListArgs } from '../booking/booking.input';
import type { BookingContext } from '../context';
import { UserExtension } from './user.extension';

/** Adds `bookings` to identity's User. */
@Resolver(() => UserExtension)
export class UserBookingsResolver {
  /** Batched: the bookings of every user in a request load in one statement. */
  @FieldResolver(() => BookingConnection, { description: "The user's bookings, latest start first: the user themself, or bookings:read." })
  @Authenticated()
  async bookings(@Root() user: UserExtension, @Args() args: BookingListArgs, @Ctx() ctx: BookingContext): Promise<Connection<Booking>> {
    ctx.bookings.checkCanListUser(user.id);
    const key = `User.bookings:${args.status ?? ''}:${args.first}:${args.after ?? ''}`;
    const page = await loader(ctx, key, (ids) => ctx.bookings.pages('user_id', ids, args)).load(user.id);
    return page ?? { edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 };
  }
}
