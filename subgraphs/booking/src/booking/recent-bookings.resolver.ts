import { Authenticated } from '@atrium/kit/subgraph';
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { BookingContext } from '../context';
import { Booking } from './booking.entity';
import { DEFAULT_RECENT, MAX_RECENT, recentBookings } from './recent-bookings';

@Resolver(() => Booking)
export class RecentBookingsResolver {
  @Query(() => [Booking], {
    description:
      `The bookings you may see (all with bookings:read, else your own) that changed last, newest first: what a live feed opens with before following bookingUpdated. ` +
      `first: 1 to ${MAX_RECENT}.`,
  })
  @Authenticated()
  recentBookings(@Arg('first', () => Int, { defaultValue: DEFAULT_RECENT }) first: number, @Ctx() ctx: BookingContext): Promise<Booking[]> {
    return recentBookings(ctx.em, ctx.caller!, first);
  }
}
