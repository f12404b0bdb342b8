// The operations the dashboard sends, and the shapes it reads back (schema/health.graphql,
// schema/booking.graphql, schema/reporting.graphql, and the gateway's /dashboard/api/traffic).
// The operations are written once, in documents/dashboard.graphql; `npm run documents` puts
// them in the trusted-documents manifest, which Vite bundles: the page sends their ids.
import manifest from '../../../documents/manifest.json';

export type HealthStatus = 'UP' | 'DOWN' | 'UNKNOWN';

export interface ServiceStatus {
  name: string;
  status: HealthStatus;
  latencyMs: number | null;
  checkedAt: string | null;
  changedAt: string | null;
  reason: string | null;
}

export interface SystemHealth {
  status: 'UP' | 'DEGRADED' | 'DOWN';
  redis: { status: HealthStatus; latencyMs: number | null };
  postgres: { status: HealthStatus; latencyMs: number | null };
  eventStream: { length: number; deadLetters: number; groups: { name: string; pending: number; lag: number | null }[] };
  queues: { name: string; waiting: number; active: number; delayed: number; failed: number; completed: number }[];
}

export interface Incident {
  id: string;
  service: string;
  startedAt: string;
  reason: string | null;
}

export interface Booking {
  id: string;
  status: string;
  startsAt: string;
  /** When it last changed: the feed's order, and which of two copies of a booking is newer. */
  updatedAt: string;
  workspace: { name: string; location: { city: string } | null } | null;
  user: { name: string } | null;
}

export interface HealthPoint {
  at: string;
  status: HealthStatus;
  latencyMs: number | null;
  probes: number;
  failures: number;
}

/** `serviceHealthHistory`: every monitored service's probes over the last hour, in aligned steps. */
export interface HealthHistory {
  stepSeconds: number;
  services: { service: string; points: HealthPoint[] }[];
}

/** `hourlyStats`: bookings per UTC hour. */
export interface HourlyStats {
  hour: string;
  bookings: number;
  confirmed: number;
  cancellations: number;
}

/** The gateway's `/dashboard/api/traffic` (gateway/src/ops/dashboard-traffic.ts). */
export interface TrafficReport {
  stepSeconds: number;
  points: { at: string; seconds: number; requests: number; errors: number; rps: number; errorRatio: number | null; partial?: boolean }[];
}

export interface Me {
  name: string;
  email: string | null;
  roles: string[];
}

/** A trusted document (documents/dashboard.graphql), as the manifest lists it. */
export interface Operation {
  name: string;
  /** The SHA-256 of `body`: what the page sends. */
  id: string;
  /** The exact text the manifest lists: sent only to a gateway that does not read the manifest. */
  body: string;
}

function operation(name: string): Operation {
  const op = manifest.operations.find((o) => o.name === name);
  // Caught by operations.test.ts and the build: the page would be refused under enforce.
  if (!op) throw new Error(`${name} is not in documents/manifest.json: add it to documents/dashboard.graphql and run \`npm run documents\``);
  return { name, id: op.id, body: op.body };
}

// One operation per section, all on the one socket: whatever fails for one section (a field
// the caller may not read, a subgraph that is down) leaves the others' answers whole.
export const ME = operation('DashboardMe');
export const SERVICES = operation('DashboardServices');
export const SYSTEM_HEALTH = operation('DashboardSystemHealth');
export const INCIDENTS = operation('DashboardIncidents');

// History: the charts, re-read every HISTORY_POLL_MS (live.ts), and the feed's first rows.
export const HEALTH_HISTORY = operation('DashboardHealthHistory');
export const HOURLY_STATS = operation('DashboardHourlyStats');
/** The feed opens with these (the latest the caller may see), then follows BOOKING_UPDATES. */
export const RECENT_BOOKINGS = operation('DashboardRecentBookings');

export const SERVICE_CHANGES = operation('DashboardServiceChanges');
export const BOOKING_UPDATES = operation('DashboardBookingUpdates');

// Login and session refresh go over plain HTTP: there is no token yet to open the socket with.
export const LOGIN = operation('DashboardLogin');
export const REFRESH = operation('DashboardRefresh');
export const LOGOUT = operation('DashboardLogout');

/** Every operation the page sends. */
export const OPERATIONS: readonly Operation[] = [ME, SERVICES, SYSTEM_HEALTH, INCIDENTS, HEALTH_HISTORY, HOURLY_STATS, RECENT_BOOKINGS, SERVICE_CHANGES, BOOKING_UPDATES, LOGIN, REFRESH, LOGOUT];

/** What one request carries: no `query` when the id is sent alone. */
export interface OperationRequest {
  operationName: string;
  query?: string;
  variables: Record<string, unknown>;
  extensions?: { persistedQuery: { version: 1; sha256Hash: string } };
}

/**
 * The request for `op`: by default its id alone, in Apollo's `persistedQuery` extension (what
 * the gateway runs under TRUSTED_DOCUMENTS=allow or enforce, the production setting; over
 * graphql-ws, whose messages must carry a `query`, it goes with an empty one). With
 * `withBody`, the manifest's exact body instead, without the extension: what a gateway with
 * TRUSTED_DOCUMENTS=off runs, whether APQ is on or off (enforce accepts it too).
 */
export function operationRequest(op: Operation, variables: Record<string, unknown>, withBody: boolean): OperationRequest {
  if (withBody) return { operationName: op.name, query: op.body, variables };
  return { operationName: op.name, variables, extensions: { persistedQuery: { version: 1, sha256Hash: op.id } } };
}

/**
 * Whether a gateway's answer to an id sent alone says it does not read the manifest
 * (TRUSTED_DOCUMENTS=off): Apollo Server's PERSISTED_QUERY_NOT_FOUND (APQ on) or
 * PERSISTED_QUERY_NOT_SUPPORTED (APQ off) over HTTP, "no query" (BAD_REQUEST) over
 * graphql-ws. The page then sends bodies, as Apollo Client's persisted-queries link does.
 */
export function idNotKnown(errors: unknown): boolean {
  if (!Array.isArray(errors)) return false;
  return errors.some((e: { extensions?: { code?: unknown } } | null) => typeof e?.extensions?.code === 'string' && ID_NOT_KNOWN.has(e.extensions.code));
}
const ID_NOT_KNOWN = new Set(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'BAD_REQUEST']);
