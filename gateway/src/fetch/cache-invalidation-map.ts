import type { EventCatalog, EventType } from '@atrium/kit/subgraph';

/** An entity of the supergraph an event names: its type and id. */
export interface EntityRef {
  type: string;
  id: string;
}

/** Which entities an event changes: `[entity type, field of the payload holding its id]` pairs. */
type Changes<T extends EventType> = readonly (readonly [type: string, idField: keyof EventCatalog[T] & string])[];

/**
 * Every domain event of kit's catalog → the entities whose cached answers it makes stale
 * (fetch/cache-invalidation.ts forgets them, for every replica). Every event type is listed,
 * an empty list saying "changes no entity the gateway caches" (a test fails when a new event
 * type is missing). An entity is listed when any field some subgraph answers about it may
 * change: a booking changes the booking, its workspace (`availability`, `bookings`) and its
 * user (`bookings`); a payment its payment and its booking (`Booking.payment`).
 */
export const ENTITY_CHANGES: { readonly [T in EventType]: Changes<T> } = {
  'user.registered': [['User', 'userId']],
  'user.roles_changed': [['User', 'userId']],
  'location.created': [['Location', 'locationId']],
  'workspace.created': [
    ['Workspace', 'workspaceId'],
    ['Location', 'locationId'],
  ],
  'workspace.updated': [
    ['Workspace', 'workspaceId'],
    ['Location', 'locationId'],
  ],
  'workspace.archived': [
    ['Workspace', 'workspaceId'],
    ['Location', 'locationId'],
  ],
  'booking.created': bookingChanges(),
  'booking.confirmed': bookingChanges(),
  'booking.payment_failed': bookingChanges(),
  'booking.expired': bookingChanges(),
  'booking.cancelled': bookingChanges(),
  'booking.completed': bookingChanges(),
  'payment.started': paymentChanges(),
  'payment.succeeded': paymentChanges(),
  'payment.failed': paymentChanges(),
  'payment.refunded': paymentChanges(),
  // A service's health is no entity of the supergraph (ServiceStatus has no key): nothing cached.
  'service.status_changed': [],
};

function bookingChanges() {
  return [
    ['Booking', 'bookingId'],
    ['Workspace', 'workspaceId'],
    ['User', 'userId'],
  ] as const;
}

function paymentChanges() {
  return [
    ['Payment', 'paymentId'],
    ['Booking', 'bookingId'],
    ['User', 'userId'],
  ] as const;
}

/**
 * The entities an event (its type and payload, as on the stream) changes; none for a type
 * this gateway does not know (a newer producer's: its entities expire by their TTL) or a
 * payload without the ids.
 */
export function changedEntities(type: string, data: unknown): EntityRef[] {
  const changes = (ENTITY_CHANGES as unknown as Record<string, readonly (readonly [string, string])[] | undefined>)[type];
  if (!changes || !data || typeof data !== 'object') return [];
  const refs: EntityRef[] = [];
  for (const [entity, field] of changes) {
    const id = (data as Record<string, unknown>)[field];
    if (typeof id === 'string' || typeof id === 'number') refs.push({ type: entity, id: String(id) });
  }
  return refs;
}
