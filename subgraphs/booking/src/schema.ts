import { buildFederatedSchema } from '@atrium/kit/subgraph';
import { BookingResolver } from './booking/booking.resolver';
import { RecentBookingsResolver } from './booking/recent-bookings.resolver';
import type { BookingContext } from './context';
import { UserBookingsResolver } from './user/user-bookings.resolver';
import { WorkspaceBookingsResolver } from './workspace/workspace-bookings.resolver';

/** booking's subgraph schema; needs no database, so `npm run compose` can print it. */
export function buildSchema() {
  return buildFederatedSchema({
    resolvers: [BookingResolver, RecentBookingsResolver, UserBookingsResolver, WorkspaceBookingsResolver],
    references: {
      // Every Booking key of a request in one query, filtered by the row rule.
      Booking: (ids, ctx) => (ctx as BookingContext).bookings.visibleByIds(ids),
      // Extended entities: the key is all booking needs to resolve their fields.
      User: async (ids) => ids.map((id) => ({ id })),
      Workspace: async (ids) => ids.map((id) => ({ id })),
    },
  });
}
