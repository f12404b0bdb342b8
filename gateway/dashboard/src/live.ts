import { createClient, type FormattedExecutionResult, type Sink } from 'graphql-ws/client';
import {
  BOOKING_UPDATES,
  HEALTH_HISTORY,
  HOURLY_STATS,
  idNotKnown,
  INCIDENTS,
  ME,
  operationRequest,
  RECENT_BOOKINGS,
  SERVICE_CHANGES,
  SERVICES,
  SYSTEM_HEALTH,
  type Booking,
  type HealthHistory,
  type HourlyStats,
  type Incident,
  type Me,
  type Operation,
  type ServiceStatus,
  type SystemHealth,
  type TrafficReport,
} from './operations';
import { describeError, describeFailure, type ConnectionState, type GraphQLErrorLike, type History, type Section } from './state';

/** Queue counts and consumer lag move without events, so they are re-read this often. */
export const POLL_MS = 5_000;
/** The charts' data: re-read this often (the gateway samples its traffic every 10 s too). */
export const HISTORY_POLL_MS = 10_000;

type Result<T> = FormattedExecutionResult<T, unknown>;

/** What the connection reports; main.ts turns each call into a state change. */
export interface LiveHandlers {
  /** `error` undefined keeps the last one shown (why the socket dropped, while reconnecting). */
  connection(state: ConnectionState, error?: string | null): void;
  me(me: Me | null): void;
  /** The whole list: on every (re)connection; `service` then brings each change. */
  services(services: ServiceStatus[]): void;
  service(status: ServiceStatus): void;
  /** On every (re)connection, then every {@link POLL_MS}. */
  system(health: SystemHealth): void;
  incidents(open: Incident[]): void;
  booking(booking: Booking): void;
  /** The feed's opening rows (`recentBookings`), on every (re)connection. */
  recentBookings(bookings: Booking[]): void;
  /** A chart's new data: on every (re)connection, then every {@link HISTORY_POLL_MS}. */
  history(part: Partial<History>): void;
  /** A section's latest failure, or null once it works (again). */
  error(section: Section, message: string | null): void;
  /** Whether the re-query is worth sending (not when the caller is refused both sections). */
  wantsSystem(): boolean;
  /** The same for the charts. */
  wantsHistory(): boolean;
}

// The gateway's graphql-ws server refuses a bad, expired or revoked token with 4401 (4403
// by graphql-ws convention): retrying with the same token would only be refused again.
const AUTH_CLOSE_CODES = new Set([4401, 4403]);
const closeCode = (event: unknown): number | undefined =>
  event && typeof event === 'object' && 'code' in event ? Number((event as { code: unknown }).code) : undefined;

/** ws:// or wss:// (whichever matches the page) on this origin's /graphql. */
export function socketUrl(page: Location = location): string {
  return `${page.protocol === 'https:' ? 'wss' : 'ws'}://${page.host}/graphql`;
}

/**
 * Opens the dashboard's one WebSocket: every section's query on each (re)connection (the
 * feed's latest bookings and the charts' history included), both subscriptions (graphql-ws
 * resubscribes them after a reconnect), the periodic re-query of system health and
 * incidents, and of the charts. Returns the function that closes it all.
 */
export function connectLive(token: string, on: LiveHandlers): () => void {
  let connected = false;
  let everConnected = false;
  let disposed = false;
  const client = createClient({
    url: socketUrl(),
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    // A dashboard is left open for hours: keep trying, backing off to ~15 s between attempts.
    retryAttempts: Infinity,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(1_000 * 2 ** retries, 15_000) * (0.5 + Math.random() / 2))),
    shouldRetry: (event) => closeCode(event) !== undefined && !AUTH_CLOSE_CODES.has(closeCode(event)!),
    onNonLazyError: (event) => on.connection('closed', `The live connection failed: ${describeFailure(event)}`),
    on: {
      connecting: () => on.connection(everConnected ? 'reconnecting' : 'connecting'),
      connected: () => {
        connected = everConnected = true;
        on.connection('connected', null);
        void load<{ me: Me | null }>(ME, 'general', (d) => on.me(d.me));
        void load<{ services: ServiceStatus[] }>(SERVICES, 'services', (d) => on.services(d.services));
        void loadRecent();
        void loadSystem();
        void loadHistory();
      },
      closed: (event) => {
        connected = false;
        if (!disposed) on.connection('reconnecting', `Connection lost: ${describeFailure(event)}`);
      },
    },
  });

  /** Set once this gateway said it does not read the manifest (TRUSTED_DOCUMENTS=off): bodies from then on. */
  let sendBodies = false;
  /**
   * Sends `op` over the socket by its id (an empty query and the persistedQuery extension),
   * or by its body once the gateway has answered an id with {@link idNotKnown}; returns what
   * stops it.
   */
  const send = <T>(op: Operation, sink: Sink<Result<T>>): (() => void) => {
    const withBody = sendBodies;
    let stop = client.subscribe<T>({ query: '', ...operationRequest(op, {}, withBody) }, {
      next: (r) => sink.next(r),
      complete: () => sink.complete(),
      error: (err) => {
        if (withBody || !idNotKnown(err)) return sink.error(err);
        sendBodies = true;
        stop = send(op, sink);
      },
    });
    return () => stop();
  };
  /** One query over the shared socket: its single result (graphql-ws completes it after). */
  const query = <T>(op: Operation): Promise<Result<T>> =>
    new Promise((resolve, reject) => {
      let last: Result<T> | undefined;
      send<T>(op, { next: (r) => (last = r), error: reject, complete: () => (last ? resolve(last) : reject(new Error('no result'))) });
    });

  /** Runs one section's query; its data (when any) and its errors (or their absence) are reported. */
  const load = <T>(op: Operation, section: Section, apply: (data: T) => void) =>
    query<T>(op).then(
      (r) => {
        if (r.data) apply(r.data);
        on.error(section, r.errors?.length ? describeFailure(r.errors) : null);
      },
      (err) => on.error(section, describeFailure(err)),
    );
  const loadSystem = () =>
    Promise.all([
      // Both are null, with FORBIDDEN, for a caller who may not read them (the error is shown).
      load<{ systemHealth: SystemHealth | null }>(SYSTEM_HEALTH, 'system', (d) => d.systemHealth && on.system(d.systemHealth)),
      load<{ incidents: { edges: { node: Incident }[] } | null }>(INCIDENTS, 'incidents', (d) => d.incidents && on.incidents(d.incidents.edges.map((e) => e.node))),
    ]);

  /** This gateway's own traffic: not a GraphQL field, an HTTP endpoint beside the page, with the same token. */
  const loadTraffic = async () => {
    try {
      const res = await fetch(new URL('/dashboard/api/traffic', location.origin), { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
      const body = (await res.json()) as TrafficReport & { errors?: GraphQLErrorLike[] };
      if (body.errors?.length) return on.error('traffic', body.errors.map(describeError).join('; '));
      if (!res.ok) return on.error('traffic', `The gateway answered ${res.status}`);
      on.history({ traffic: body });
      on.error('traffic', null);
    } catch (err) {
      on.error('traffic', describeFailure(err));
    }
  };
  // Sent after the bookingUpdated subscription (opened with the client, so first on the
  // socket), and again with every re-read of the charts: the gateway may start listening a
  // moment after it answers the query, and a booking changed in that moment would otherwise
  // be missed. The merge (state.ts) keeps one row per booking, the latest version.
  const loadRecent = () => load<{ recentBookings: Booking[] }>(RECENT_BOOKINGS, 'feed', (d) => on.recentBookings(d.recentBookings));
  const loadHistory = () =>
    Promise.all([
      load<{ serviceHealthHistory: HealthHistory | null }>(HEALTH_HISTORY, 'healthHistory', (d) => d.serviceHealthHistory && on.history({ health: d.serviceHealthHistory })),
      load<{ hourlyStats: HourlyStats[] | null }>(HOURLY_STATS, 'hourly', (d) => d.hourlyStats && on.history({ hourly: d.hourlyStats })),
      loadTraffic(),
    ]);

  const follow = <T>(op: Operation, section: Section, each: (data: T) => void) =>
    send<T>(
      op,
      {
        next: (r) => {
          if (r.data) each(r.data);
          on.error(section, r.errors?.length ? describeFailure(r.errors) : null);
        },
        error: (err) => on.error(section, describeFailure(err)),
        complete: () => undefined,
      },
    );
  const unsubscribe = [
    follow<{ serviceHealthChanged: ServiceStatus }>(SERVICE_CHANGES, 'serviceUpdates', (d) => on.service(d.serviceHealthChanged)),
    follow<{ bookingUpdated: Booking }>(BOOKING_UPDATES, 'feed', (d) => on.booking(d.bookingUpdated)),
  ];

  let polling = false; // never stack re-queries behind a slow gateway
  const timer = setInterval(() => {
    if (!connected || polling || !on.wantsSystem()) return;
    polling = true;
    void loadSystem().finally(() => (polling = false));
  }, POLL_MS);

  let historyPolling = false;
  const historyTimer = setInterval(() => {
    if (!connected || historyPolling) return;
    historyPolling = true;
    void Promise.all([loadRecent(), on.wantsHistory() ? loadHistory() : null]).finally(() => (historyPolling = false));
  }, HISTORY_POLL_MS);

  return () => {
    disposed = true;
    clearInterval(timer);
    clearInterval(historyTimer);
    for (const stop of unsubscribe) stop();
    void client.dispose();
  };
}
