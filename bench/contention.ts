/**
 * The booking benchmark, through Atrium's gateway (`npm run bench -- contention`, also
 * part of a full `npm run bench`):
 *
 * 1. Contention: N concurrent createBooking requests for the same slot of one workspace,
 *    for each N (10, 50, 200 by default). Correct means exactly one winner, every other
 *    caller BOOKING_CONFLICT, and no 5xx.
 * 2. End-to-end throughput: C concurrent loops of create → payForBooking (card
 *    4242424242424242) → poll `booking(id) { status }` until CONFIRMED (25, 50, 100, then
 *    every 200 ms), for each C. Every loop books slots no other loop books. A
 *    subscription-based variant (waiting for `bookingUpdated` instead of polling) is left
 *    for later.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createBooking, describeErrors, gql, payForBooking, pool, type Seeded } from './seed';
import { normalizeReason, percentile, pollDelay, slotFor, tallyContention, type Attempt, type ContentionTally } from './stats';

export interface ContentionOptions {
  gatewayUrl: string;
  seeded: Seeded;
  sizes: readonly number[];
  levels: readonly number[];
  /** Seconds per throughput level. */
  levelDuration: number;
  log: (message: string) => void;
}

export interface ContentionBurst extends ContentionTally {
  size: number;
  slot: { workspaceId: string; startsAt: string; endsAt: string };
  /** Wall time from the first request sent to the last answer, ms. */
  wallMs: number;
}

export interface ThroughputLevel {
  concurrency: number;
  seconds: number;
  /** Bookings that reached CONFIRMED. */
  confirmed: number;
  /** Flows that failed (an error at any step, or not CONFIRMED within 30 s), by reason. */
  failures: Record<string, number>;
  bookingsPerSecond: number;
  /** create → CONFIRMED, ms. */
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

  // Throughput: slots from day 60 on, never reused across levels.
  const throughput: ThroughputLevel[] = [];
  let nextSlot = 0;
  const base = startOfUtcDay(60) + 6 * 3600_000;
  for (const concurrency of options.levels) {
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
          const slot = slotFor(nextSlot++, seeded.workspaceIds.length, base);
          const t0 = Date.now();
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
            let status = '';
            for (let n = 0, deadline = Date.now() + 30_000; Date.now() < deadline; n++) {
              const res = await gql(url, `query($id: ID!) { booking(id: $id) { status } }`, { id }, token);
              status = res.data?.booking?.status ?? `error (${describeErrors(res)})`;
              if (status !== 'PENDING_PAYMENT') break;
              await sleep(pollDelay(n));
            }
            if (status === 'CONFIRMED') latencies.push(Date.now() - t0);
            else fail(`status ${status || 'PENDING_PAYMENT after 30 s'}`);
          } catch (err) {
            fail(`request failed: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      },
    );
    const seconds = (Date.now() - began) / 1000;
    const level: ThroughputLevel = {
      concurrency,
      seconds,
      confirmed: latencies.length,
      failures,
      bookingsPerSecond: latencies.length / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    };
    throughput.push(level);
    log(
      `throughput C=${concurrency}: ${level.confirmed} CONFIRMED in ${seconds.toFixed(1)} s = ${level.bookingsPerSecond.toFixed(1)} bookings/s, ` +
        `p50 ${Math.round(level.p50)} ms, p99 ${Math.round(level.p99)} ms${Object.keys(failures).length ? `, failures ${JSON.stringify(failures)}` : ''}`,
    );
  }
  return { bursts, throughput };
}
