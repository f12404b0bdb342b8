/**
 * The subscription fan-out benchmark (`npm run bench -- fanout`): for each N, one Atrium
 * gateway process — started afresh for that N, so its memory before and after is its own —
 * gets N graphql-ws subscriptions of the admin to
 *
 *   subscription($w: ID) { bookingUpdated(workspaceId: $w) { id status workspace { name } user { name } } }
 *
 * for one workspace; once the gateway counts N open (and booking has their upstream
 * subscriptions), ONE createBooking on that workspace is sent over HTTP through the same
 * gateway and every subscriber's arrival is timed against the moment it was sent. Repeated
 * (`--fanout-repeats`, medians), then every socket is closed and the gateway stopped before
 * the next N. The same again on gateways started with SUBSCRIPTION_DEDUP=off, for contrast.
 *
 * Over each transport the gateway serves (`--fanout-transports`): graphql-transport-ws on
 * raw `ws` sockets (bench/ws-client.ts), several subscriptions per socket
 * (`--fanout-per-socket`, within the gateway's SUBSCRIPTIONS_PER_CONNECTION); Apollo's
 * multipart HTTP protocol and GraphQL over SSE, one streaming HTTP request — one
 * connection — per subscriber (bench/http-subscriber.ts). Deduplication off is measured
 * over graphql-ws only: the hub behind the three transports is the same.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import type { FanoutTransport } from './args';
import { arrivalStats, connectionsNeeded, memoryPerSubscriber, openFilesLimit, openFilesProblem, socketsFor, summarizeRepeats, type RepeatSummary, type Spread } from './fanout-stats';
import { collectGarbage, inspectorUrlOf } from './inspector';
import { readMetric, waitForMetric } from './live-metrics';
import { cpuSeconds, procStatusKb, resetPeakRss } from './processes';
import { createBooking, describeErrors, pool, type Seeded } from './seed';
import type { Endpoint, Stack } from './stack';
import { normalizeReason, slotFor } from './stats';
import { HttpSubscription } from './http-subscriber';
import { GraphqlWsSocket } from './ws-client';

export const FANOUT_QUERY = 'subscription($w: ID) { bookingUpdated(workspaceId: $w) { id status workspace { name } user { name } } }';

export interface FanoutOptions {
  stack: Stack;
  seeded: Seeded;
  /** The transports to measure, in this order. */
  transports: readonly FanoutTransport[];
  /** N over graphql-ws for the gateway with deduplication on (its default). */
  sizes: readonly number[];
  /** N over each HTTP transport (multipart, sse), deduplication on. */
  httpSizes: readonly number[];
  /** N over graphql-ws for gateways started with SUBSCRIPTION_DEDUP=off. */
  dedupOffSizes: readonly number[];
  repeats: number;
  perSocket: number;
  log: (message: string) => void;
}

/** One booking update fanned out to the N subscribers. */
export interface FanoutRepeat {
  repeat: number;
  bookingId: string | null;
  /** createBooking's HTTP round trip, ms. */
  mutationMs: number;
  /** Subscribers that got the event of this booking. */
  received: number;
  /** Of those, events with errors or without workspace.name / user.name. */
  incomplete: number;
  /** Arrival − mutation sent, ms. */
  fromSend: Spread;
  /** Arrival − first arrival, ms. */
  fromFirst: Spread;
  /** The gateway's CPU time from the mutation sent to the last arrival (or the time-out), ms. */
  gatewayCpuMs: number | null;
  /** True when it stopped waiting before all N arrived. */
  timedOut: boolean;
}

/** One gateway process, one transport, one N. */
export interface FanoutRun {
  /** How the subscribers subscribed (absent in results written before HTTP transports were measured: websocket). */
  transport?: FanoutTransport;
  dedup: 'on' | 'off';
  subscribers: number;
  /** Connections held: WebSockets, or one per HTTP subscriber. */
  sockets: number;
  /** Subscriptions per connection (1 over HTTP). */
  perSocket: number;
  status: 'ok' | 'error';
  reason?: string;
  /** From the first socket opened to the gateway counting N open (and booking their upstream subscriptions), s. */
  openSeconds: number | null;
  /** The gateway's CPU time opening them, per subscription, ms. */
  subscribeCpuMs: number | null;
  /** Whether a full garbage collection ran in the gateway just before each RSS and heap reading (through its inspector). */
  gcBeforeReadings: boolean;
  /** The gateway's RSS (VmRSS) after its warm-up, before any subscriber, MiB. */
  rssBeforeMb: number | null;
  /** … and with the N subscriptions open (2 s after the last was counted), MiB. */
  rssOpenMb: number | null;
  /** (RSS open − RSS before) / N, KiB. */
  kbPerSubscriber: number | null;
  /** (V8 heap used open − before) / N, KiB (nodejs_heap_size_used_bytes): the live objects alone. */
  heapKbPerSubscriber: number | null;
  /** The gateway's peak RSS (VmHWM) while the updates were fanned out, MiB. */
  peakRssMb: number | null;
  /** Upstream subscriptions the gateway opened for the N (delta of atrium_subscription_upstreams_total). */
  upstreams: number | null;
  /** Results the gateway queued for delivery during the repeats (delta of atrium_subscription_events_delivered_total). */
  delivered: number | null;
  /** Subscribers dropped as too slow during the repeats (delta of atrium_subscription_events_dropped_total). */
  dropped: number | null;
  repeats: FanoutRepeat[];
  summary?: RepeatSummary;
  /** Set on a row a later run over other transports kept in its results: when the run that measured it started. */
  carriedFrom?: string;
}

export interface FanoutResult {
  startedAt: string;
  finishedAt: string;
  loadAtStart: number[];
  loadAtEnd: number[];
  query: string;
  /** The transports this run measured (absent in results written before HTTP transports: websocket only). */
  transports?: FanoutTransport[];
  perSocket: number;
  repeats: number;
  runs: FanoutRun[];
  notes: string[];
}

const DAY = 24 * 3600_000;
const mb = (kb: number | null) => (kb === null ? null : Math.round((kb / 1024) * 10) / 10);
const round1 = (n: number) => Math.round(n * 10) / 10;
const loadAverage = () => os.loadavg().map((l) => Math.round(l * 100) / 100);

/** Fails early, with what to do, when `ulimit -n` cannot hold the largest configuration's connections. */
export function checkOpenFiles(options: Pick<FanoutOptions, 'transports' | 'sizes' | 'httpSizes' | 'dedupOffSizes' | 'perSocket'>): void {
  const need = connectionsNeeded(options);
  let limits: ReturnType<typeof openFilesLimit> = null;
  try {
    limits = openFilesLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    // not Linux: nothing to check against
  }
  if (!limits) return;
  const problem = openFilesProblem(limits.soft, need.connections, !need.websocket);
  if (problem) throw new Error(`fan-out cannot run: ${problem}`);
}

/** What the subscribers of one run have seen: arrivals of the current repeat and anything that went wrong. */
class Subscribers {
  /** WebSockets, or HTTP subscriptions (one per subscriber). */
  readonly sockets: (GraphqlWsSocket | HttpSubscription)[] = [];
  /** Arrival (performance.now()) of the current repeat's event per subscriber, NaN until then. */
  readonly arrivals: Float64Array;
  /** The booking id of that event per subscriber. */
  readonly arrivalIds: (string | undefined)[];
  readonly incomplete: boolean[];
  arrived = 0;
  lastArrival = 0;
  /** Booking ids already counted in earlier repeats (and the warm-up): never the current event. */
  readonly past = new Set<string>();
  readonly problems: Record<string, number> = {};

  constructor(readonly n: number) {
    this.arrivals = new Float64Array(n).fill(Number.NaN);
    this.arrivalIds = new Array(n);
    this.incomplete = new Array(n).fill(false);
  }

  reset(): void {
    this.arrivals.fill(Number.NaN);
    this.arrivalIds.fill(undefined);
    this.incomplete.fill(false);
    this.arrived = 0;
  }

  problem(reason: string): void {
    const key = normalizeReason(reason);
    this.problems[key] = (this.problems[key] ?? 0) + 1;
  }

  get problemCount(): number {
    return Object.values(this.problems).reduce((a, b) => a + b, 0);
  }

  handlers() {
    return {
      next: (id: string, payload: { data?: any; errors?: unknown[] }, at: number) => {
        const i = Number(id);
        const booking = payload.data?.bookingUpdated as { id?: string; status?: string; workspace?: { name?: string }; user?: { name?: string } } | undefined;
        if (!(i >= 0 && i < this.n) || !booking?.id || this.past.has(booking.id) || !Number.isNaN(this.arrivals[i])) return;
        this.arrivals[i] = at;
        this.arrivalIds[i] = booking.id;
        this.incomplete[i] = !!payload.errors?.length || !booking.workspace?.name || !booking.user?.name;
        this.arrived++;
        this.lastArrival = at;
      },
      error: (_id: string, errors: unknown) => this.problem(`subscription refused: ${JSON.stringify(errors).slice(0, 200)}`),
      complete: () => this.problem('subscription completed by the gateway'),
    };
  }

  async closeAll(): Promise<void> {
    await pool(this.sockets, 200, (s) => s.close());
    this.sockets.length = 0;
  }
}

let slotCounter = 0;
/** A slot nobody else books: day 150 on, one hour each, on the run's own workspace. */
function nextSlot(workspaceId: string) {
  const now = new Date();
  const base = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + 150 * DAY + 6 * 3600_000;
  const slot = slotFor(slotCounter++, 1, base);
  return { workspaceId, startsAt: slot.startsAt, endsAt: slot.endsAt };
}

/**
 * Opens `n` subscriptions: over WebSockets of `perSocket` each, at most 100 sockets
 * connecting at once; over HTTP one request each, at most 100 waiting for their response
 * headers at once. On the first failure nothing further is opened (and what was opened is
 * closed by the caller).
 */
async function openSubscribers(gateway: Endpoint, transport: FanoutTransport, dispatcher: Agent, token: string, subs: Subscribers, n: number, perSocket: number, workspaceId: string): Promise<void> {
  const per = transport === 'websocket' ? perSocket : 1;
  const sockets = socketsFor(n, per);
  const handlers = subs.handlers();
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < sockets) {
      const s = next++;
      let socket: GraphqlWsSocket | HttpSubscription | undefined;
      const closed = (code: number, reason: string) => {
        if (socket && !socket.isClosing) subs.problem(`${transport === 'websocket' ? 'socket' : 'stream'} closed by the gateway (${code}${reason ? ` ${reason}` : ''})`);
      };
      try {
        if (transport === 'websocket') {
          socket = await GraphqlWsSocket.connect(gateway.url, token, { ...handlers, closed });
        } else {
          socket = await HttpSubscription.open({ url: gateway.url, transport, token, id: String(s), query: FANOUT_QUERY, variables: { w: workspaceId }, handlers: { ...handlers, closed }, dispatcher });
        }
      } catch (err) {
        failure ??= err;
        return;
      }
      subs.sockets.push(socket);
      if (failure !== undefined) return;
      if (socket instanceof GraphqlWsSocket) {
        for (let i = s * per; i < Math.min(n, (s + 1) * per); i++) socket.subscribe(String(i), FANOUT_QUERY, { w: workspaceId });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(100, sockets) }, worker));
  if (failure !== undefined) {
    throw new Error(`opening ${transport === 'websocket' ? 'socket' : 'subscription'} ${subs.sockets.length + 1} of ${sockets}: ${failure instanceof Error ? failure.message : String(failure)}`);
  }
}

/** Waits until the gateway counts `open` subscriptions and booking has `upstreamsAbove` more upstream ones than before. */
async function waitUntilLive(
  gateway: Endpoint,
  transport: FanoutTransport,
  bookingUrl: string,
  open: number,
  bookingBefore: number,
  upstreams: () => Promise<number>,
  subs: Subscribers,
  timeoutMs: number,
) {
  const check = () => {
    if (subs.problemCount) throw new Error(`subscribers failed: ${JSON.stringify(subs.problems)}`);
  };
  await waitForMetric(gateway.url, 'atrium_subscriptions_open_by_transport', (v) => v >= open, `the gateway did not count ${open} ${transport} subscriptions`, {
    timeoutMs,
    check,
    intervalMs: 250,
    filter: `transport="${transport}"`,
  });
  const expected = await upstreams();
  await waitForMetric(bookingUrl, 'atrium_subscriptions_open', (v) => v >= bookingBefore + expected, `booking did not get the gateway's ${expected} upstream subscriptions`, {
    timeoutMs,
    check,
    intervalMs: 250,
  });
}

/** Sends one createBooking through `gateway` and times every subscriber's copy of its event. */
async function fanOutOnce(gateway: Endpoint, seeded: Seeded, subs: Subscribers, workspaceId: string, repeat: number, capMs: number): Promise<FanoutRepeat> {
  subs.reset();
  const pid = gateway.child.pid;
  const cpuBefore = cpuSeconds(pid);
  const sentAt = performance.now();
  const created = await createBooking(gateway.url, seeded.memberTokens[1], nextSlot(workspaceId));
  const mutationMs = performance.now() - sentAt;
  const bookingId = (created.data?.createBooking?.id as string | undefined) ?? null;
  if (!bookingId) throw new Error(`createBooking failed: ${describeErrors(created)}`);
  const deadline = sentAt + capMs;
  while (subs.arrived < subs.n && performance.now() < deadline) await sleep(20);
  const cpuAfter = cpuSeconds(pid);
  const arrivals = Array.from(subs.arrivals, (at, i) => (subs.arrivalIds[i] === bookingId ? at : Number.NaN));
  const stats = arrivalStats(sentAt, arrivals);
  const incomplete = subs.incomplete.filter((bad, i) => bad && subs.arrivalIds[i] === bookingId).length;
  for (const id of subs.arrivalIds) if (id) subs.past.add(id);
  subs.past.add(bookingId);
  return {
    repeat,
    bookingId,
    mutationMs: round1(mutationMs),
    received: stats.received,
    incomplete,
    fromSend: roundSpread(stats.fromSend),
    fromFirst: roundSpread(stats.fromFirst),
    gatewayCpuMs: cpuBefore === null || cpuAfter === null ? null : Math.round((cpuAfter - cpuBefore) * 1000),
    timedOut: stats.received < subs.n,
  };
}

const roundSpread = (s: Spread): Spread => ({ p50: round1(s.p50), p99: round1(s.p99), max: round1(s.max) });

const emptyRun = (transport: FanoutTransport, dedup: 'on' | 'off', n: number, perSocket: number): FanoutRun => ({
  transport,
  dedup,
  subscribers: n,
  sockets: socketsFor(n, transport === 'websocket' ? perSocket : 1),
  perSocket: transport === 'websocket' ? perSocket : 1,
  status: 'ok',
  openSeconds: null,
  subscribeCpuMs: null,
  gcBeforeReadings: false,
  rssBeforeMb: null,
  rssOpenMb: null,
  kbPerSubscriber: null,
  heapKbPerSubscriber: null,
  peakRssMb: null,
  upstreams: null,
  delivered: null,
  dropped: null,
  repeats: [],
});

/**
 * The gateway's memory as it settles: a full GC first when its inspector is reachable (so
 * the garbage of opening N subscriptions is not counted as theirs), then RSS in KiB and the
 * V8 heap in use in bytes.
 */
async function settledMemory(gateway: Endpoint, inspector: string | undefined, log: (message: string) => void): Promise<{ rssKb: number | null; heapBytes: number | null; gc: boolean }> {
  let gc = false;
  if (inspector) {
    try {
      await collectGarbage(inspector);
      gc = true;
      await sleep(500);
    } catch (err) {
      log(`could not make the gateway collect garbage before reading its memory: ${(err as Error).message}`);
    }
  }
  const heapBytes = await readMetric(gateway.url, 'nodejs_heap_size_used_bytes').catch(() => null);
  return { rssKb: procStatusKb(gateway.child.pid, 'VmRSS'), heapBytes, gc };
}

/** One configuration: a fresh gateway, N subscribers, `repeats` updates, everything closed again. */
async function measure(options: FanoutOptions, transport: FanoutTransport, dedup: 'on' | 'off', n: number, workspaceId: string): Promise<FanoutRun> {
  const { stack, seeded, log, perSocket } = options;
  const bookingUrl = stack.subgraphs.get('booking')!.url;
  const run = emptyRun(transport, dedup, n, perSocket);
  const label = `${transport}, dedup ${dedup}, N=${n.toLocaleString('en-US')}`;
  log(`fan-out ${label}: starting a gateway${dedup === 'off' ? ' with SUBSCRIPTION_DEDUP=off' : ''}`);
  // HTTP subscribers: one connection each, as many as there are subscribers (no pool limit).
  const dispatcher = new Agent({ connections: null, pipelining: 1, connectTimeout: 15_000 });
  // The inspector (loopback, random port) only serves the garbage collections before memory readings.
  const gateway = await stack.startAtrium(`fanout-${transport}-${dedup}-${n}`, { SUBSCRIPTION_DEDUP: dedup }, ['--inspect=127.0.0.1:0']).catch(async (err: unknown) => {
    await dispatcher.close();
    throw err;
  });
  const pid = gateway.child.pid;
  const inspector = inspectorUrlOf(gateway.child.logFile);
  if (!inspector) log(`fan-out ${label}: the gateway's inspector URL is not in its log: memory is read without a GC first`);
  let subs: Subscribers | undefined;
  try {
    // Warm-up (not measured): a few subscribers, one update, closed again — the code paths
    // are compiled and the upstream socket has been opened once before the baseline.
    const warm = new Subscribers(Math.min(10, n));
    subs = warm;
    const bookingBefore = (await readMetric(bookingUrl, 'atrium_subscriptions_open')) ?? 0;
    const upstreamsTotal = async () => (await readMetric(gateway.url, 'atrium_subscription_upstreams_total')) ?? 0;
    let upstreamsBefore = await upstreamsTotal();
    await openSubscribers(gateway, transport, dispatcher, seeded.adminToken, warm, warm.n, perSocket, workspaceId);
    await waitUntilLive(gateway, transport, bookingUrl, warm.n, bookingBefore, async () => (await upstreamsTotal()) - upstreamsBefore, warm, 30_000);
    const warmed = await fanOutOnce(gateway, seeded, warm, workspaceId, 0, 15_000);
    if (warmed.received < warm.n) throw new Error(`warm-up: ${warmed.received} of ${warm.n} subscribers got the event`);
    await warm.closeAll();
    await waitForMetric(gateway.url, 'atrium_subscriptions_open', (v) => v === 0, 'warm-up subscriptions did not close', { timeoutMs: 30_000 });
    await waitForMetric(bookingUrl, 'atrium_subscriptions_open', (v) => v <= bookingBefore, 'booking kept the warm-up upstream subscriptions', { timeoutMs: 30_000 });

    // Baseline.
    await sleep(1_000);
    const before = await settledMemory(gateway, inspector, log);
    upstreamsBefore = await upstreamsTotal();
    const deliveredBefore = (await readMetric(gateway.url, 'atrium_subscription_events_delivered_total')) ?? 0;
    const droppedBefore = (await readMetric(gateway.url, 'atrium_subscription_events_dropped_total')) ?? 0;

    // N subscribers.
    subs = new Subscribers(n);
    for (const id of warm.past) subs.past.add(id);
    const openStarted = performance.now();
    const cpuBefore = cpuSeconds(pid);
    await openSubscribers(gateway, transport, dispatcher, seeded.adminToken, subs, n, perSocket, workspaceId);
    await waitUntilLive(gateway, transport, bookingUrl, n, bookingBefore, async () => (await upstreamsTotal()) - upstreamsBefore, subs, 60_000 + n * 10);
    run.openSeconds = round1((performance.now() - openStarted) / 1000);
    const cpuAfter = cpuSeconds(pid);
    run.subscribeCpuMs = cpuBefore === null || cpuAfter === null ? null : Math.round(((cpuAfter - cpuBefore) * 1000 * 1000) / n) / 1000;
    run.upstreams = (await upstreamsTotal()) - upstreamsBefore;
    await sleep(2_000);
    const open = await settledMemory(gateway, inspector, log);
    run.gcBeforeReadings = before.gc && open.gc;
    run.rssBeforeMb = mb(before.rssKb);
    run.rssOpenMb = mb(open.rssKb);
    const perSub = memoryPerSubscriber(before.rssKb, open.rssKb, n);
    run.kbPerSubscriber = perSub === null ? null : round1(perSub);
    const kb = (bytes: number | null) => (bytes === null ? null : bytes / 1024);
    const heapPerSub = memoryPerSubscriber(kb(before.heapBytes), kb(open.heapBytes), n);
    run.heapKbPerSubscriber = heapPerSub === null ? null : round1(heapPerSub);
    log(
      `fan-out ${label}: ${n} open on ${run.sockets} ${transport === 'websocket' ? 'sockets' : 'HTTP streams'} in ${run.openSeconds} s, ${run.upstreams} upstream subscription(s), ` +
        `RSS ${run.rssBeforeMb} → ${run.rssOpenMb} MiB (${run.kbPerSubscriber} KiB per subscriber, V8 heap ${run.heapKbPerSubscriber} KiB)${run.gcBeforeReadings ? '' : ' [no GC before reading]'}`,
    );

    // The updates.
    resetPeakRss(pid);
    const capMs = 20_000 + n * (dedup === 'on' ? 3 : 20);
    for (let r = 1; r <= options.repeats; r++) {
      const dead = stack.casualty();
      if (dead) throw new Error(`a process died during the fan-out benchmark: ${dead}`);
      const repeat = await fanOutOnce(gateway, seeded, subs, workspaceId, r, capMs);
      run.repeats.push(repeat);
      log(
        `fan-out ${label}, update ${r}/${options.repeats}: ${repeat.received}/${n} received${repeat.incomplete ? ` (${repeat.incomplete} incomplete)` : ''}` +
          `${repeat.timedOut ? ` — gave up after ${Math.round(capMs / 1000)} s` : ''}; from send p50 ${repeat.fromSend.p50} ms, p99 ${repeat.fromSend.p99} ms, max ${repeat.fromSend.max} ms; ` +
          `from first p99 ${repeat.fromFirst.p99} ms; gateway CPU ${repeat.gatewayCpuMs} ms`,
      );
      // Let the gateway finish what it still does for this event before the next one.
      await sleep(1_000);
    }
    run.peakRssMb = mb(procStatusKb(pid, 'VmHWM'));
    run.delivered = ((await readMetric(gateway.url, 'atrium_subscription_events_delivered_total')) ?? 0) - deliveredBefore;
    run.dropped = ((await readMetric(gateway.url, 'atrium_subscription_events_dropped_total')) ?? 0) - droppedBefore;
    run.summary = summarizeRepeats(run.repeats);
    const missing = run.repeats.filter((r) => r.received < n);
    if (missing.length) {
      run.status = 'error';
      run.reason = `not every subscriber got every update: ${run.repeats.map((r) => r.received).join(', ')} of ${n}`;
    } else if (subs.problemCount) {
      run.status = 'error';
      run.reason = `subscribers failed: ${JSON.stringify(subs.problems)}`;
    }
  } catch (err) {
    run.status = 'error';
    run.reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    log(`fan-out ${label}: ERROR ${run.reason}`);
  } finally {
    if (subs) {
      const open = subs.sockets.length;
      await subs.closeAll();
      const still = await waitForMetric(gateway.url, 'atrium_subscriptions_open', (v) => v === 0, 'closing', { timeoutMs: 30_000 }).catch((err: Error) => err.message);
      if (typeof still === 'string') log(`fan-out ${label}: after closing ${open} connections, ${still}`);
    }
    await stack.stopEndpoint(gateway);
    await dispatcher.destroy().catch(() => undefined);
  }
  return run;
}

/** Every configuration in turn: each transport with deduplication on for each of its sizes, then graphql-ws with it off. */
export async function runFanout(options: FanoutOptions): Promise<FanoutResult> {
  checkOpenFiles(options);
  const startedAt = new Date().toISOString();
  const loadAtStart = loadAverage();
  const runs: FanoutRun[] = [];
  const configs = [
    ...options.transports.flatMap((t) => (t === 'websocket' ? options.sizes : options.httpSizes).map((n) => [t, 'on', n] as const)),
    ...(options.transports.includes('websocket') ? options.dedupOffSizes.map((n) => ['websocket', 'off', n] as const) : []),
  ];
  for (const [index, [transport, dedup, n]] of configs.entries()) {
    // A workspace of its own per configuration: only this run's bookings reach its subscribers.
    const workspaceId = options.seeded.workspaceIds[(5 + index) % options.seeded.workspaceIds.length];
    try {
      runs.push(await measure(options, transport, dedup, n, workspaceId));
    } catch (err) {
      // The gateway did not start: report it and go on with the next configuration.
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      options.log(`fan-out ${transport}, dedup ${dedup}, N=${n}: ERROR ${reason}`);
      runs.push({ ...emptyRun(transport, dedup, n, options.perSocket), status: 'error', reason });
    }
  }
  const notes: string[] = [];
  for (const run of runs) if (run.status !== 'ok') notes.push(`Fan-out ${run.transport ?? 'websocket'}, dedup ${run.dedup}, N=${run.subscribers.toLocaleString('en-US')}: ${run.reason}`);
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    loadAtStart,
    loadAtEnd: loadAverage(),
    query: FANOUT_QUERY,
    transports: [...options.transports],
    perSocket: options.perSocket,
    repeats: options.repeats,
    runs,
    notes,
  };
}
