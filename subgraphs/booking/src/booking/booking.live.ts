import { requireUuid, topic, type LiveStream } from '@atrium/kit';
import { liveEntity, type Context } from '@atrium/kit/subgraph';
import { Booking, type BookingStatus } from './booking.entity';
import { canSee } from './booking.service';

/** A booking as it was at one change: everything its GraphQL fields need, as JSON. */
export interface BookingState {
  id: string;
  userId: string;
  workspaceId: string;
  workspaceName: string;
  status: BookingStatus;
  startsAt: string;
  endsAt: string;
  priceAmount: number;
  priceCurrency: string;
  expiresAt: string;
  confirmedAt: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Every committed status change of a booking (its creation included): `bookingUpdated`'s events. */
export const BOOKING_UPDATED = topic<BookingState>('booking.updated');

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const date = (s: string | null) => (s ? new Date(s) : null);

export function bookingState(b: Booking): BookingState {
  return {
    id: b.id,
    userId: b.userId,
    workspaceId: b.workspaceId,
    workspaceName: b.workspaceName,
    status: b.status,
    startsAt: b.startsAt.toISOString(),
    endsAt: b.endsAt.toISOString(),
    priceAmount: b.priceAmount,
    priceCurrency: b.priceCurrency,
    expiresAt: b.expiresAt.toISOString(),
    confirmedAt: iso(b.confirmedAt),
    cancelledAt: iso(b.cancelledAt),
    cancelReason: b.cancelReason,
    failureReason: b.failureReason,
    createdAt: b.createdAt.toISOString(),
    updatedAt: b.updatedAt.toISOString(),
  };
}

/**
 * The Booking of one event, rebuilt from its state (not read again: the row may have moved
 * on since), so every field — `price`, the `workspace` and `user` references — resolves
 * exactly as in queries.
 */
export function bookingFromState(s: BookingState): Booking {
  return Object.assign(new Booking(), {
    ...s,
    startsAt: new Date(s.startsAt),
    endsAt: new Date(s.endsAt),
    expiresAt: new Date(s.expiresAt),
    confirmedAt: date(s.confirmedAt),
    cancelledAt: date(s.cancelledAt),
    createdAt: new Date(s.createdAt),
    updatedAt: new Date(s.updatedAt),
  });
}

/**
 * Every status change goes through a flush of a Booking — createBooking, cancelBooking, the
 * payment outcomes (event handlers), expiry and completion (jobs, the sweep) — so this one
 * declaration publishes them all, each once its transaction commits.
 */
export const bookingUpdates = liveEntity({
  entity: Booking,
  topic: BOOKING_UPDATED,
  publishes: (change) => change.type === 'create' || 'status' in change.changed,
  payload: bookingState,
});

export interface BookingUpdatedArgs {
  bookingId?: string | null;
  workspaceId?: string | null;
}

/**
 * `bookingUpdated`'s events for the caller: the row rule of queries on each event (members
 * get their own bookings only — another member's booking id simply yields nothing — and
 * callers with bookings:read get all), narrowed by the arguments. Resolves once listening.
 */
export async function bookingUpdatesFor(ctx: Context, args: BookingUpdatedArgs): Promise<LiveStream<BookingState>> {
  const bookingId = args.bookingId == null ? null : requireUuid('bookingId', args.bookingId).toLowerCase();
  const workspaceId = args.workspaceId == null ? null : requireUuid('workspaceId', args.workspaceId).toLowerCase();
  const caller = ctx.caller;
  const stream = ctx.pubSub.subscribe(
    BOOKING_UPDATED,
    (b) => canSee(caller, b) && (bookingId === null || b.id === bookingId) && (workspaceId === null || b.workspaceId === workspaceId),
  );
  await stream.ready;
  return stream;
}
