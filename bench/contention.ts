/**
 * The booking benchmark, through Atrium's gateway (`npm run bench -- contention`, also
 * part of a full `npm run bench`):
 *
 * 1. Contention: N concurrent createBooking requests for the same slot of one workspace,
 *    for each N (10, 50, 200 by default). Correct means exactly one winner, every other
 *    caller BOOKING_CONFLICT, and no 5xx.
 * 2. End-to-end throughput: C concurrent loops of create → payForBooking (card
 *    4242424242424242) → CONFIRMED, for each C, in two variants: `poll` asks
 *    `booking(id) { status }` (after 25, 50, 100, then every 200 ms) until CONFIRMED;
 *    `subscription` waits for the CONFIRMED event of one admin subscriber, one socket with
 *    `bookingUpdated(workspaceId) { id status }` for every workspace the loops book. Every
 *    loop books slots no other loop books.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConfirmBy } from './args';
import { readMetric, waitForMetric } from './live-metrics';
import { createBooking, describeErrors, gql, payForBooking, pool, type Seeded } from './seed';
import { normalizeReason, percentile, pollDelay, slotFor, tallyContention, type Attempt, type ContentionTally } from './stats';
import { GraphqlWsSocket } from './ws-client';

export interface ContentionOptions {
  gatewayUrl: string;
  seeded: Seeded;
  sizes: readonly number[];
  levels: readonly number[];
  /** Seconds per throughput level. */
  levelDuration: number;
  /** The throughput variants to run, in this order (default: poll only). */
  confirm?: readonly ConfirmBy[];
  /** The booking subgraph's GraphQL URL: its metrics say when the subscriber is live. */
  bookingUrl?: string;
  log: (message: string) => void;
}

export interface ContentionBurst extends ContentionTally {
  size: number;
  slot: { workspaceId: string; startsAt: string; endsAt: string };
  /** Wall time from the first request sent to the last answer, ms. */
  wallMs: number;
}

export interface ThroughputLevel {
  /** How flows learnt of CONFIRMED (absent in results from before the subscription variant: poll). */
  confirmBy?: ConfirmBy;
  concurrency: number;
  seconds: number;
  /** Bookings that reached CONFIRMED. */
  confirmed: number;
  /** Flows that failed (an error at any step, or no CONFIRMED within 30 s), by reason. */
  failures: Record<string, number>;
  bookingsPerSecond: number;
  /** create sent → CONFIRMED seen (the poll answering it, or the event arriving), ms. */
  p50: number;
  p99: number;
}

export interface ContentionResult {
  bursts: ContentionBurst[];
  throughput: ThroughputLevel[];
}

const DAY = 24 * 3600_000;
const CREATE = `mutation($i: CreateBookingInput!) { createBooking(input: $i) { id status } }`;

function startOfUtcDay(offsetDays: number): number {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + offsetDays * DAY;
}

async function attempt(url: string, token: string, input: Record<string, unknown>): Promise<Attempt> {
  try {
    const res = await gql(url, CREATE, { i: input }, token);
    return { status: res.status, code: res.errors?.[0]?.extensions?.code ?? (res.errors?.length ? 'ERROR' : undefined), booked: !!res.data?.createBooking };
  } catch {
    return { status: 0, booked: false };
  }
}

export async function runContention(options: ContentionOptions): Promise<ContentionResult> {
  const { gatewayUrl: url, seeded, log } = options;
  const tokens = seeded.memberTokens;

  // The workspace is known to booking already (seeding booked it); each burst gets its own day.
  const bursts: ContentionBurst[] = [];
  for (const [index, size] of options.sizes.entries()) {
    const start = startOfUtcDay(40 + index) + 10 * 3600_000;
    const slot = { workspaceId: seeded.workspaceIds[0], startsAt: new Date(start).toISOString(), endsAt: new Date(start + 2 * 3600_000).toISOString() };
    const began = Date.now();
    const attempts = await Promise.all(Array.from({ length: size }, (_, i) => attempt(url, tokens[i % tokens.length], slot)));
    const wallMs = Date.now() - began;
    const tally = tallyContention(attempts);
    bursts.push({ size, slot, wallMs, ...tally });
    log(
      `contention N=${size}: ${tally.winners} winner, ${tally.conflicts} BOOKING_CONFLICT, ${tally.http5xx} 5xx` +
        `${Object.keys(tally.otherErrors).length ? `, other: ${JSON.stringify(tally.otherErrors)}` : ''} → ${tally.correct ? 'correct' : 'WRONG'}`,
    );
  }

  // Throughput: slots from day 60 on, never reused across levels or variants.
  const throughput: ThroughputLevel[] = [];
  const slots = { next: 0, base: startOfUtcDay(60) + 6 * 3600_000 };
  for (const confirmBy of options.confirm ?? ['poll']) {
    const watcher = confirmBy === 'subscription' ? await ConfirmationWatcher.open(url, seeded, options.bookingUrl, log) : undefined;
    try {
      for (const concurrency of options.levels) {
        const level = await throughputLevel(options, concurrency, confirmBy, slots, watcher);
        throughput.push(level);
        log(
          `throughput (${confirmBy}) C=${concurrency}: ${level.confirmed} CONFIRMED in ${level.seconds.toFixed(1)} s = ${level.bookingsPerSecond.toFixed(1)} bookings/s, ` +
            `p50 ${Math.round(level.p50)} ms, p99 ${Math.round(level.p99)} ms${Object.keys(level.failures).length ? `, failures ${JSON.stringify(level.failures)}` : ''}`,
        );
      }
    } finally {
      await watcher?.close();
    }
  }
  return { bursts, throughput };
}

/** C concurrent create → pay → CONFIRMED loops for `levelDuration` seconds. */
async function throughputLevel(
  options: ContentionOptions,
  concurrency: number,
  confirmBy: ConfirmBy,
  slots: { next: number; base: number },
  watcher: ConfirmationWatcher | undefined,
): Promise<ThroughputLevel> {
  const { gatewayUrl: url, seeded } = options;
  const tokens = seeded.memberTokens;
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const fail = (reason: string) => {
    const key = normalizeReason(reason);
    failures[key] = (failures[key] ?? 0) + 1;
  };
  const began = Date.now();
  const stopAt = began + options.levelDuration * 1000;
  await pool(
    Array.from({ length: concurrency }, (_, i) => i),
    concurrency,
    async (worker) => {
      const token = tokens[worker % tokens.length];
      while (Date.now() < stopAt) {
        const slot = slotFor(slots.next++, seeded.workspaceIds.length, slots.base);
        const t0 = performance.now();
        try {
          const created = await createBooking(url, token, { workspaceId: seeded.workspaceIds[slot.workspace], startsAt: slot.startsAt, endsAt: slot.endsAt });
          const id = created.data?.createBooking?.id as string | undefined;
          if (!id) {
            fail(`createBooking: ${describeErrors(created)}`);
            continue;
          }
          const paid = await payForBooking(url, token, id);
          if (!paid.data?.payForBooking) {
            fail(`payForBooking: ${describeErrors(paid)}`);
            continue;
          }
          if (watcher) {
            const seenAt = await watcher.confirmed(id, 30_000);
            if (seenAt !== undefined) latencies.push(seenAt - t0);
            else fail(watcher.failure ?? 'no CONFIRMED event within 30 s');
            continue;
          }
          let status = '';
          for (let n = 0, deadline = Date.now() + 30_000; Date.now() < deadline; n++) {
            const res = await gql(url, `query($id: ID!) { booking(id: $id) { status } }`, { id }, token);
            status = res.data?.booking?.status ?? `error (${describeErrors(res)})`;
            if (status !== 'PENDING_PAYMENT') break;
            await sleep(pollDelay(n));
          }
          if (status === 'CONFIRMED') latencies.push(performance.now() - t0);
          else fail(`status ${status || 'PENDING_PAYMENT after 30 s'}`);
        } catch (err) {
          fail(`request failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    },
  );
  const seconds = (Date.now() - began) / 1000;
  return {
    confirmBy,
    concurrency,
    seconds,
    confirmed: latencies.length,
    failures,
    bookingsPerSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

const CONFIRMATIONS = `subscription BenchConfirmations($w: ID) { bookingUpdated(workspaceId: $w) { id status } }`;

/**
 * One admin watching every workspace over one graphql-ws socket (one
 * `bookingUpdated(workspaceId)` per workspace): remembers when each booking's CONFIRMED
 * event arrived and wakes the flow waiting for it.
 */
class ConfirmationWatcher {
  private readonly seen = new Map<string, number>();
  private readonly waiting = new Map<string, (at: number | undefined) => void>();
  /** Why the subscriber stopped, if it did: every flow still waiting fails with it. */
  failure: string | undefined;
  private socket: GraphqlWsSocket | undefined;

  static async open(url: string, seeded: Seeded, bookingUrl: string | undefined, log: (message: string) => void): Promise<ConfirmationWatcher> {
    const watcher = new ConfirmationWatcher();
    const openBefore = (await readMetric(url, 'atrium_subscriptions_open').catch(() => null)) ?? 0;
    const upstreamsBefore = bookingUrl ? ((await readMetric(bookingUrl, 'atrium_subscriptions_open').catch(() => null)) ?? 0) : 0;
    watcher.socket = await GraphqlWsSocket.connect(url, seeded.adminToken, {
      next: (_id, payload, at) => {
        const booking = payload.data?.bookingUpdated as { id?: string; status?: string } | undefined;
        if (booking?.status !== 'CONFIRMED' || !booking.id || watcher.seen.has(booking.id)) return;
        watcher.seen.set(booking.id, at);
        watcher.waiting.get(booking.id)?.(at);
      },
      error: (id, errors) => watcher.stop(`subscription ${id} refused: ${JSON.stringify(errors).slice(0, 200)}`),
      complete: (id) => watcher.stop(`subscription ${id} completed by the gateway`),
      closed: (code, reason) => {
        if (!watcher.socket?.isClosing) watcher.stop(`subscriber socket closed (${code} ${reason})`);
      },
    });
    seeded.workspaceIds.forEach((w, i) => watcher.socket!.subscribe(String(i), CONFIRMATIONS, { w }));
    // Live once the gateway counts them and booking has the (deduplicated or not) upstream ones.
    const check = () => {
      if (watcher.failure) throw new Error(watcher.failure);
    };
    await waitForMetric(url, 'atrium_subscriptions_open', (v) => v >= openBefore + seeded.workspaceIds.length, 'the confirmation subscriber', { timeoutMs: 30_000, check });
    if (bookingUrl) await waitForMetric(bookingUrl, 'atrium_subscriptions_open', (v) => v >= upstreamsBefore + seeded.workspaceIds.length, 'booking\'s upstream subscriptions', { timeoutMs: 30_000, check });
    log(`confirmation subscriber: ${seeded.workspaceIds.length} bookingUpdated(workspaceId) subscriptions open`);
    return watcher;
  }

  /** When the CONFIRMED event of `id` arrived (performance.now()), waiting up to `timeoutMs`; undefined if it did not. */
  confirmed(id: string, timeoutMs: number): Promise<number | undefined> {
    const at = this.seen.get(id);
    if (at !== undefined) return Promise.resolve(at);
    if (this.failure) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      const finish = (value: number | undefined) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(value);
      };
      this.waiting.set(id, finish);
    });
  }

  private stop(reason: string): void {
    this.failure ??= reason;
    for (const finish of [...this.waiting.values()]) finish(undefined);
  }

  async close(): Promise<void> {
    await this.socket?.close();
  }
}
