/**
 * Atrium's domain events: the one catalog every producer and consumer shares. Payloads
 * carry what consumers need to keep their own read models (no consumer may read another
 * subgraph's database). Money is minor units + ISO currency; times are ISO strings.
 * Adding a field is compatible; changing one means a new `version` of the event.
 */
export interface EventMoney {
  amount: number;
  currency: string;
}

export interface EventCatalog {
  // identity
  'user.registered': { userId: string; email: string; name: string; roles: string[] };
  'user.roles_changed': { userId: string; roles: string[] };
  // catalog
  'location.created': { locationId: string; name: string; city: string; timezone: string };
  'workspace.created': WorkspaceSnapshot;
  'workspace.updated': WorkspaceSnapshot;
  'workspace.archived': WorkspaceSnapshot;
  // booking
  'booking.created': BookingSnapshot;
  'booking.confirmed': BookingSnapshot;
  'booking.payment_failed': BookingSnapshot & { reason: string };
  'booking.expired': BookingSnapshot;
  'booking.cancelled': BookingSnapshot & { reason: string | null; wasPaid: boolean };
  'booking.completed': BookingSnapshot;
  // payment
  /** A payment is being charged (PROCESSING): booking keeps the hold until its outcome. */
  'payment.started': PaymentSnapshot;
  'payment.succeeded': PaymentSnapshot;
  'payment.failed': PaymentSnapshot & { reason: string; declined: boolean };
  'payment.refunded': PaymentSnapshot;
  // health
  'service.status_changed': ServiceStatusChange;
}

export interface ServiceStatusChange {
  service: string;
  status: 'UP' | 'DOWN';
  previous: 'UP' | 'DOWN' | null;
  /** Response time of the probe that saw the change (null when it got no answer). */
  latencyMs: number | null;
  /** What the probe saw when it failed: connection refused, 503, timeout… */
  reason: string | null;
  incidentId: string | null;
}

export interface WorkspaceSnapshot {
  workspaceId: string;
  locationId: string;
  name: string;
  kind: string;
  capacity: number;
  hourlyRate: EventMoney;
  active: boolean;
  createdById: string;
  city: string;
  timezone: string;
}

export interface BookingSnapshot {
  bookingId: string;
  userId: string;
  workspaceId: string;
  workspaceName: string;
  startsAt: string;
  endsAt: string;
  price: EventMoney;
  status: string;
  /** The workspace's IANA time zone, to show times as its guests read them. */
  timezone?: string;
}

export interface PaymentSnapshot {
  paymentId: string;
  bookingId: string;
  userId: string;
  amount: EventMoney;
  last4: string;
  status: string;
}

export type EventType = keyof EventCatalog;
