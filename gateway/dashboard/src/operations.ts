// The operations the dashboard sends, and the shapes it reads back (schema/health.graphql,
// schema/booking.graphql, schema/reporting.graphql, and the gateway's /dashboard/api/traffic).
// Written out by hand: the page is small, a codegen step is not.

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

const SERVICE = 'name status latencyMs checkedAt changedAt reason';

// One operation per section, all on the one socket: whatever fails for one section (a field
// the caller may not read, a subgraph that is down) leaves the others' answers whole.
export const ME = `query DashboardMe { me { name email roles } }`;
export const SERVICES = `query DashboardServices { services { ${SERVICE} } }`;
export const SYSTEM_HEALTH = `query DashboardSystemHealth {
  systemHealth {
    status
    redis { status latencyMs }
    postgres { status latencyMs }
    eventStream { length deadLetters groups { name pending lag } }
    queues { name waiting active delayed failed completed }
  }
}`;
export const INCIDENTS = `query DashboardIncidents {
  incidents(first: 50, openOnly: true) { totalCount edges { node { id service startedAt reason } } }
}`;

// History: the charts, re-read every HISTORY_POLL_MS (live.ts), and the feed's first rows.
export const HEALTH_HISTORY = `query DashboardHealthHistory {
  serviceHealthHistory(windowMinutes: 60) { stepSeconds services { service points { at status latencyMs probes failures } } }
}`;
export const HOURLY_STATS = `query DashboardHourlyStats { hourlyStats { hour bookings confirmed cancellations } }`;

const BOOKING = 'id status startsAt updatedAt workspace { name location { city } } user { name }';
/** The feed opens with these (the latest the caller may see), then follows BOOKING_UPDATES. */
export const RECENT_BOOKINGS = `query DashboardRecentBookings { recentBookings(first: 50) { ${BOOKING} } }`;

export const SERVICE_CHANGES = `subscription DashboardServices { serviceHealthChanged { ${SERVICE} } }`;

export const BOOKING_UPDATES = `subscription DashboardBookings { bookingUpdated { ${BOOKING} } }`;

// Login and session refresh go over plain HTTP: there is no token yet to open the socket with.
const AUTH = 'accessToken refreshToken expiresAt';
export const LOGIN = `mutation DashboardLogin($input: LoginInput!) { login(input: $input) { ${AUTH} } }`;
export const REFRESH = `mutation DashboardRefresh($token: String!) { refreshSession(refreshToken: $token) { ${AUTH} } }`;
export const LOGOUT = `mutation DashboardLogout($token: String!) { logout(refreshToken: $token) }`;
