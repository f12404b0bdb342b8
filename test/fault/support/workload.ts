import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cast, Session } from './cast';
import { persist, type Outcome } from './client';

/** The simulated provider's test cards. */
export const CARDS = { ok: '4242424242424242', declined: '4000000000000002', transient: '4000000000000119' } as const;

/** What one member sets out to do with one booking. */
export type Journey = 'pays' | 'declined' | 'transient' | 'cancels' | 'abandons';

/** Each member's bookings, in order: every outcome a member can reach, twice the common ones. */
const JOURNEYS: readonly Journey[] = ['pays', 'declined', 'transient', 'cancels', 'abandons', 'pays', 'transient', 'cancels'];

/** What the client saw of one booking (the databases, not this, are what the tests judge). */
export interface Trace {
  journey: Journey;
  member: number;
  bookingId?: string;
  created: Outcome<unknown>;
  paid?: Outcome<unknown>;
  cancelled?: Outcome<unknown>;
}

const CREATE = `mutation($input: CreateBookingInput!, $key: String) { createBooking(input: $input, idempotencyKey: $key) { id status } }`;
const PAY = `mutation($input: PayForBookingInput!) { payForBooking(input: $input) { id status } }`;
const CANCEL = `mutation($id: ID!) { cancelBooking(id: $id, reason: "fault tier") { id status } }`;
const STATUS = `query($id: ID!) { booking(id: $id) { status } }`;

// Answers that end an attempt: anything else is an outage to wait out.
const CREATE_FINAL = ['BOOKING_CONFLICT', 'BAD_USER_INPUT', 'FORBIDDEN'];
const PAY_FINAL = ['PAYMENT_DECLINED', 'BAD_USER_INPUT', 'CONFLICT', 'FORBIDDEN'];
const CANCEL_FINAL = ['BAD_USER_INPUT', 'CONFLICT', 'FORBIDDEN'];

/** Hands out one-hour slots that never overlap: round-robin over the workspaces, hour after hour. */
export class Slots {
  private next = 0;
  private readonly base: number;

  constructor(private readonly workspaceIds: readonly string[]) {
    const now = new Date();
    // Midnight UTC the day after tomorrow: always in the future, well within a year.
    this.base = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 2);
  }

  take(): { workspaceId: string; startsAt: string; endsAt: string } {
    const i = this.next++;
    const start = this.base + Math.floor(i / this.workspaceIds.length) * 3_600_000;
    return { workspaceId: this.workspaceIds[i % this.workspaceIds.length], startsAt: new Date(start).toISOString(), endsAt: new Date(start + 3_600_000).toISOString() };
  }
}

/**
 * Members booking at the same time through the gateway, each going through its journeys
 * one after another: book, then pay with a good card, a declined one or one that fails
 * transiently, cancel once confirmed (a refund), or walk away from the hold (it expires).
 * No journey starts after `durationMs`; calls in flight keep trying until then.
 */
export class Workload {
  readonly traces: Trace[] = [];
  private readonly createdWaiters = new Set<{ count: number; resolve: () => void }>();

  constructor(
    private readonly url: string,
    private readonly cast: Cast,
    private readonly slots: Slots,
    private readonly durationMs = 75_000,
  ) {}

  /** Runs every member's journeys concurrently; resolves when all have ended. */
  async run(): Promise<void> {
    const deadline = Date.now() + this.durationMs;
    await Promise.all(
      this.cast.members.map(async (member, m) => {
        for (const journey of JOURNEYS) {
          if (Date.now() > deadline) return;
          await this.travel(journey, m, member, deadline);
        }
      }),
    );
  }

  /** Resolves once `count` bookings exist: the moment to strike "during the workload". */
  whenCreated(count: number): Promise<void> {
    if (this.created() >= count) return Promise.resolve();
    return new Promise((resolve) => this.createdWaiters.add({ count, resolve }));
  }

  /** The ids of every booking the workload created. */
  bookingIds(): string[] {
    return this.traces.flatMap((t) => (t.bookingId ? [t.bookingId] : []));
  }

  /** A one-off hold by the first member, cancelled at once: the probe of live delivery. */
  async probe(deadline: number): Promise<string | undefined> {
    const [member] = this.cast.members;
    const created = await this.create(member, deadline);
    if (!created.ok) return undefined;
    const id = created.data.createBooking.id as string;
    await persist(this.url, CANCEL, { id }, member.accessToken, { final: CANCEL_FINAL, deadlineMs: remaining(deadline) });
    return id;
  }

  private created(): number {
    return this.bookingIds().length;
  }

  private async travel(journey: Journey, m: number, member: Session, deadline: number): Promise<void> {
    const created = await this.create(member, deadline);
    const trace: Trace = { journey, member: m, created };
    this.traces.push(trace);
    if (!created.ok) return;
    trace.bookingId = created.data.createBooking.id;
    this.wakeCreatedWaiters();
    if (journey === 'abandons') return;
    const card = journey === 'declined' ? CARDS.declined : journey === 'transient' ? CARDS.transient : CARDS.ok;
    trace.paid = await persist(
      this.url,
      PAY,
      { input: { bookingId: trace.bookingId, card: { number: card, expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: '123' } } },
      member.accessToken,
      { final: PAY_FINAL, deadlineMs: remaining(deadline) },
    );
    if (journey === 'cancels') {
      // Cancel a confirmed booking (so there is a charge to refund); if confirmation is
      // slow to come, cancel all the same: a charge that lands later must be refunded too.
      await this.statusBecomes(member, trace.bookingId!, 'CONFIRMED', Math.min(deadline, Date.now() + 20_000));
      trace.cancelled = await persist(this.url, CANCEL, { id: trace.bookingId }, member.accessToken, { final: CANCEL_FINAL, deadlineMs: remaining(deadline) });
    }
  }

  private create(member: Session, deadline: number) {
    // One idempotency key per booking, kept across retries: a retry after a lost answer finds the first booking.
    const key = randomUUID();
    return persist<{ createBooking: { id: string } }>(this.url, CREATE, { input: this.slots.take(), key }, member.accessToken, {
      final: CREATE_FINAL,
      deadlineMs: remaining(deadline),
    });
  }

  private async statusBecomes(member: Session, id: string, status: string, until: number): Promise<void> {
    while (Date.now() < until) {
      const seen = await persist<{ booking: { status: string } | null }>(this.url, STATUS, { id }, member.accessToken, { deadlineMs: 0 });
      if (seen.ok && seen.data.booking?.status === status) return;
      await sleep(300);
    }
  }

  private wakeCreatedWaiters(): void {
    for (const waiter of this.createdWaiters) {
      if (this.created() >= waiter.count) {
        this.createdWaiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}

const remaining = (deadline: number) => Math.max(0, deadline - Date.now());
