import { badInput, hasScope, Scope, type Caller } from '@atrium/kit';
import type { EntityManager } from '@atrium/kit/subgraph';
import { Booking } from './booking.entity';

/** The most `recentBookings` returns in one call (and its default: what a live feed opens with). */
export const MAX_RECENT = 100;
export const DEFAULT_RECENT = 50;

/**
 * The `first` bookings the caller may see that changed last (updatedAt, newest first): all
 * bookings with bookings:read, a member's own otherwise — the row rule of `bookingUpdated`,
 * so a feed can open with these and then follow the subscription. Served by the
 * (updated_at desc, id desc) index, or a member's (user_id, …) one.
 */
export function recentBookings(em: EntityManager, caller: Caller, first: number): Promise<Booking[]> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_RECENT) throw badInput('first', `must be from 1 to ${MAX_RECENT}`);
  const where = hasScope(caller, Scope.BOOKINGS_READ) ? {} : { userId: caller.userId };
  return em.find(Booking, where, { orderBy: { updatedAt: 'desc', id: 'desc' }, limit: first });
}
