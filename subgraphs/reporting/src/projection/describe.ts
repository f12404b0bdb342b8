import type { EventCatalog, EventEnvelope, EventMoney, EventType } from '@atrium/kit/subgraph';
import type { EntityType } from '../activity/activity-log.input';

/** Where an event lands in the activity log: the entity it is about and a line for humans. */
export interface Description {
  entityType: EntityType;
  entityId: string;
  summary: string;
}

type Describer<T extends EventType> = (data: EventCatalog[T]) => Description;

/** The longest summary kept (a provider's failure reason could be long). */
const MAX_SUMMARY = 300;

/** `1a2b3c4d…`: enough of an id to tell entries apart at a glance. */
export const shortId = (id: string) => `${id.slice(0, 8)}…`;

/** `12.50 EUR`, with the currency's own number of decimals (`1500 JPY`). */
export function formatMoney({ amount, currency }: EventMoney): string {
  let digits = 2;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // not an ISO currency: keep two decimals
  }
  return `${(amount / 10 ** digits).toFixed(digits)} ${currency}`;
}

/** `2026-11-23 09:00–11:00 UTC`, or both full ends when the range spans days. */
export function formatRange(startsAt: string, endsAt: string): string {
  const [start, end] = [new Date(startsAt).toISOString(), new Date(endsAt).toISOString()];
  const [startDay, startTime] = [start.slice(0, 10), start.slice(11, 16)];
  const [endDay, endTime] = [end.slice(0, 10), end.slice(11, 16)];
  return startDay === endDay ? `${startDay} ${startTime}–${endTime} UTC` : `${startDay} ${startTime} – ${endDay} ${endTime} UTC`;
}

const booking = (id: string, what: string): Description => ({ entityType: 'Booking', entityId: id, summary: `Booking ${shortId(id)} ${what}` });
const payment = (data: EventCatalog['payment.succeeded'], what: string): Description => ({
  entityType: 'Payment',
  entityId: data.paymentId,
  summary: `${what} of ${formatMoney(data.amount)} for booking ${shortId(data.bookingId)}`,
});

/**
 * One describer per event type of kit's catalog: a type added there and not here fails the
 * type check, so no event ever reaches the log undescribed.
 */
const DESCRIBERS: { [T in EventType]: Describer<T> } = {
  'user.registered': (d) => ({ entityType: 'User', entityId: d.userId, summary: `User ${d.name} registered` }),
  'user.roles_changed': (d) => ({ entityType: 'User', entityId: d.userId, summary: `Roles of user ${shortId(d.userId)} set to ${d.roles.join(', ') || 'none'}` }),
  'location.created': (d) => ({ entityType: 'Location', entityId: d.locationId, summary: `Location "${d.name}" created in ${d.city}` }),
  'workspace.created': (d) => ({ entityType: 'Workspace', entityId: d.workspaceId, summary: `Workspace "${d.name}" (${d.kind}) created in ${d.city}` }),
  'workspace.updated': (d) => ({ entityType: 'Workspace', entityId: d.workspaceId, summary: `Workspace "${d.name}" updated` }),
  'workspace.archived': (d) => ({ entityType: 'Workspace', entityId: d.workspaceId, summary: `Workspace "${d.name}" archived` }),
  'booking.created': (d) =>
    booking(d.bookingId, `created for "${d.workspaceName}", ${formatRange(d.startsAt, d.endsAt)}, ${formatMoney(d.price)}`),
  'booking.confirmed': (d) => booking(d.bookingId, 'confirmed'),
  'booking.payment_failed': (d) => booking(d.bookingId, `payment failed: ${d.reason}`),
  'booking.expired': (d) => booking(d.bookingId, 'expired unpaid'),
  'booking.cancelled': (d) => booking(d.bookingId, `cancelled${d.reason ? `: ${d.reason}` : ''}`),
  'booking.completed': (d) => booking(d.bookingId, 'completed'),
  'payment.started': (d) => payment(d, 'Started payment'),
  'payment.succeeded': (d) => payment(d, 'Payment'),
  'payment.failed': (d) => {
    const described = payment(d, d.declined ? 'Declined payment' : 'Failed payment');
    return { ...described, summary: `${described.summary}: ${d.reason}` };
  },
  'payment.refunded': (d) => payment(d, 'Refund'),
  'service.status_changed': (d) => ({
    entityType: 'Service',
    entityId: d.service,
    summary: `Service ${d.service} is ${d.status}${d.reason ? ` (${d.reason})` : ''}`,
  }),
};

/** Every event type reporting knows: all of kit's catalog. */
export const EVENT_TYPES = Object.keys(DESCRIBERS) as EventType[];

/** The activity-log view of an event (entity, summary), or null for a type not in the catalog. */
export function describe(event: EventEnvelope): Description | null {
  const describer = DESCRIBERS[event.type] as Describer<EventType> | undefined;
  if (!describer) return null;
  const description = describer(event.data);
  const summary = description.summary.length > MAX_SUMMARY ? `${description.summary.slice(0, MAX_SUMMARY - 1)}…` : description.summary;
  return { ...description, summary };
}

/** Payload fields the activity log does not keep: personal data nothing in reporting needs. */
const PERSONAL_FIELDS = new Set(['email']);

/** The payload as the activity log stores it. */
export function storedData(data: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([key]) => !PERSONAL_FIELDS.has(key)));
}
