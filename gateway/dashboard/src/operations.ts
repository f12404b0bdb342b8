// The operations the dashboard sends, and the shapes it reads back (schema/health.graphql,
// schema/booking.graphql). Written out by hand: the page is small, a codegen step is not.

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
  workspace: { name: string; location: { city: string } | null } | null;
  user: { name: string } | null;
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

export const SERVICE_CHANGES = `subscription DashboardServices { serviceHealthChanged { ${SERVICE} } }`;

export const BOOKING_UPDATES = `subscription DashboardBookings {
  bookingUpdated { id status startsAt workspace { name location { city } } user { name } }
}`;

// Login and session refresh go over plain HTTP: there is no token yet to open the socket with.
const AUTH = 'accessToken refreshToken expiresAt';
export const LOGIN = `mutation DashboardLogin($input: LoginInput!) { login(input: $input) { ${AUTH} } }`;
export const REFRESH = `mutation DashboardRefresh($token: String!) { refreshSession(refreshToken: $token) { ${AUTH} } }`;
export const LOGOUT = `mutation DashboardLogout($token: String!) { logout(refreshToken: $token) }`;
