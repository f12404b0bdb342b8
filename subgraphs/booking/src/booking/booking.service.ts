import { AppError, badInput, ErrorCode, forbidden, hasScope, notFound, Scope, type Caller, isUuid, requireUuid } from '@atrium/kit';
import { type Connection, type Context, type EntityManager } from '@atrium/kit/subgraph';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { BookingRules } from '../config';
import { WorkspaceReplica } from '../workspace/workspace-replica.entity';
import { Booking, BookingStatus, IDEMPOTENCY_INDEX, LIVE_STATUSES, NO_OVERLAP_CONSTRAINT } from './booking.entity';
import type { CreateBookingInput } from './booking.input';
import { bookingPages, type BookingOwner, type ListArgs } from './booking.lists';
import { lockBooking, lockWorkspace } from './lifecycle';
import { checkRange, priceFor, snapshot } from './rules';

/** Members see their own bookings; callers with `bookings:read` (managers, admins) see all. */
export const canSee = (caller: Caller | null, booking: Pick<Booking, 'userId'>) =>
  !!caller && (caller.userId === booking.userId || hasScope(caller, Scope.BOOKINGS_READ));

const MAX_KEY_LENGTH = 255;
const MAX_REASON_LENGTH = 500;

/** Which of booking's constraints a failed insert violated, if any. */
function violatedConstraint(err: unknown): 'overlap' | 'idempotency' | null {
  const { code, constraint } = (err ?? {}) as { code?: string; constraint?: string };
  if (code === '23P01' && constraint === NO_OVERLAP_CONSTRAINT) return 'overlap';
  if (err instanceof UniqueConstraintViolationException && constraint === IDEMPOTENCY_INDEX) return 'idempotency';
  return null;
}

/** The booking rules of one request: creating, cancelling, reading and listing bookings. */
export class BookingService {
  constructor(
    private readonly ctx: Context,
    private readonly rules: BookingRules,
  ) {}

  private get em() {
    return this.ctx.em;
  }

  /**
   * Bookings for `__resolveReference`, in one query: rows the caller may not see resolve to
   * null, like bookings that do not exist, so another subgraph's reference cannot be used
   * to read someone else's booking.
   */
  async visibleByIds(ids: readonly string[]): Promise<Booking[]> {
    const caller = this.ctx.caller;
    const valid = ids.filter(isUuid);
    if (!caller || valid.length === 0) return [];
    const rows = await this.em.find(Booking, { id: { $in: valid } });
    return rows.filter((b) => canSee(caller, b));
  }

  /** A booking the caller may see; someone else's is FORBIDDEN (members), a missing one null. */
  async get(id: string): Promise<Booking | null> {
    requireUuid('id', id);
    const booking = await this.em.findOne(Booking, { id });
    if (booking && !canSee(this.ctx.caller, booking)) throw forbidden(`booking ${id} belongs to another user`);
    return booking;
  }

  /**
   * Holds the slot for the caller: PENDING_PAYMENT until paid or expired. The exclusion
   * constraint decides conflicts (BOOKING_CONFLICT); with an idempotency key, a retry —
   * even one racing the first attempt — returns the first attempt's booking.
   */
  async create(input: CreateBookingInput, idempotencyKey: string | null | undefined): Promise<Booking> {
    const caller = this.ctx.caller!;
    requireUuid('input.workspaceId', input.workspaceId);
    const key = idempotencyKey ?? null;
    if (key !== null && (key.trim().length === 0 || key.length > MAX_KEY_LENGTH)) {
      throw badInput('idempotencyKey', `must be 1 to ${MAX_KEY_LENGTH} characters`);
    }
    if (key !== null) {
      const earlier = await this.byKey(this.em, caller.userId, key);
      if (earlier) return this.sameRequest(earlier, input);
    }

    const now = new Date();
    const minutes = checkRange(input.startsAt, input.endsAt, now, this.rules);
    const { workspace, taken } = await this.workspaceAndOverlap(input);
    if (!workspace) throw notFound('workspace', input.workspaceId);
    if (!workspace.active) throw badInput('input.workspaceId', `workspace ${workspace.id} is archived and cannot be booked`);
    const amount = priceFor(workspace.hourlyRateAmount, minutes);

    let failure: unknown = null;
    if (!taken) {
      try {
        return await this.em.transactional(async (em) => {
          await lockWorkspace(em, workspace.id);
          const booking = em.create(Booking, {
            userId: caller.userId,
            workspaceId: workspace.id,
            workspaceName: workspace.name,
            startsAt: input.startsAt,
            endsAt: input.endsAt,
            priceAmount: amount,
            priceCurrency: workspace.hourlyRateCurrency,
            idempotencyKey: key,
            expiresAt: new Date(now.getTime() + this.rules.holdTtlMs),
            createdAt: now,
            updatedAt: now,
          });
          this.ctx.events.record('booking.created', snapshot(booking), { em });
          await em.flush();
          return booking;
        });
      } catch (err) {
        if (!violatedConstraint(err)) throw err;
        failure = err;
      }
    }
    if (key !== null) {
      // A concurrent attempt with the same key may have committed first: answer as it did.
      const earlier = await this.byKey(this.em.fork(), caller.userId, key);
      if (earlier) return this.sameRequest(earlier, input);
    }
    if (taken || violatedConstraint(failure) === 'overlap') {
      const range = `${input.startsAt.toISOString()} and ${input.endsAt.toISOString()}`;
      throw new AppError(ErrorCode.BOOKING_CONFLICT, `workspace ${workspace.id} is already booked between ${range}`, {
        workspaceId: workspace.id,
        startsAt: input.startsAt.toISOString(),
        endsAt: input.endsAt.toISOString(),
      });
    }
    throw failure;
  }

  /**
   * The workspace from the replica and whether a live booking already overlaps the range,
   * in one statement. The overlap check is only a fast path — a request that would fail
   * anyway fails without taking the workspace lock or writing a row; the exclusion
   * constraint still decides every race.
   */
  private async workspaceAndOverlap(input: CreateBookingInput): Promise<{ workspace: WorkspaceReplica | null; taken: boolean }> {
    const [row] = await this.em.execute<Record<string, unknown>[]>(
      `select w.*, exists (
         select 1 from booking b
          where b.workspace_id = w.id
            and b.status in ('PENDING_PAYMENT', 'CONFIRMED')
            and tstzrange(b.starts_at, b.ends_at, '[)') && tstzrange(?, ?, '[)')
       ) as __taken
       from workspace_replica w where w.id = ?`,
      [input.startsAt, input.endsAt, input.workspaceId],
    );
    if (!row) return { workspace: null, taken: false };
    const { __taken, ...columns } = row;
    return { workspace: this.em.map(WorkspaceReplica, columns), taken: __taken === true };
  }

  /**
   * Cancels a live booking before it starts (its owner, or `bookings:read`). The
   * `booking.cancelled` event says whether it was paid, so payment refunds it.
   */
  async cancel(id: string, reason: string | null | undefined): Promise<Booking> {
    requireUuid('id', id);
    const why = reason?.trim() || null;
    if (why && why.length > MAX_REASON_LENGTH) throw badInput('reason', `must be at most ${MAX_REASON_LENGTH} characters`);
    return this.em.transactional(async (em) => {
      const booking = await lockBooking(em, id);
      if (!booking) throw notFound('Booking', id);
      if (!canSee(this.ctx.caller, booking)) throw forbidden(`booking ${id} belongs to another user`);
      if (!(LIVE_STATUSES as readonly BookingStatus[]).includes(booking.status)) {
        throw badInput('id', `booking ${id} is ${booking.status} and can no longer be cancelled`);
      }
      const now = new Date();
      if (booking.startsAt <= now) throw badInput('id', `booking ${id} has already started and can no longer be cancelled`);
      const wasPaid = booking.status === BookingStatus.CONFIRMED;
      booking.status = BookingStatus.CANCELLED;
      booking.cancelledAt = now;
      booking.cancelReason = why;
      this.ctx.events.record('booking.cancelled', { ...snapshot(booking), reason: why, wasPaid }, { em });
      await em.flush();
      this.ctx.log.info({ bookingId: id, wasPaid }, 'booking cancelled');
      return booking;
    });
  }

  /** `User.bookings`: the user themself, or a caller with `bookings:read`. */
  checkCanListUser(userId: string): void {
    const caller = this.ctx.caller!;
    if (caller.userId !== userId && !hasScope(caller, Scope.BOOKINGS_READ)) {
      throw forbidden("Only the user themself or a caller with bookings:read may list a user's bookings");
    }
  }

  /** Pages of bookings for many owners in one statement (what the per-request loaders batch into). */
  pages(owner: BookingOwner, ids: readonly string[], args: ListArgs): Promise<(Connection<Booking> & { id: string })[]> {
    return bookingPages(this.em, owner, ids, args);
  }

  private byKey(em: EntityManager, userId: string, key: string): Promise<Booking | null> {
    return em.findOne(Booking, { userId, idempotencyKey: key });
  }

  /** The same key must mean the same request; anything else is a client bug worth reporting. */
  private sameRequest(booking: Booking, input: CreateBookingInput): Booking {
    const same =
      booking.workspaceId === input.workspaceId.toLowerCase() &&
      booking.startsAt.getTime() === input.startsAt.getTime() &&
      booking.endsAt.getTime() === input.endsAt.getTime();
    if (!same) throw badInput('idempotencyKey', 'was already used for a different booking request');
    return booking;
  }
}
