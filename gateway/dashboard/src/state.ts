import type { Booking, HealthHistory, HourlyStats, Incident, Me, ServiceStatus, SystemHealth, TrafficReport } from './operations';

/** How many bookings the live feed keeps: enough to watch, bounded for a page left open. */
export const FEED_LIMIT = 50;

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export type Section = 'services' | 'serviceUpdates' | 'system' | 'incidents' | 'feed' | 'healthHistory' | 'traffic' | 'hourly' | 'general';

export interface FeedRow extends Booking {
  /** Where its current version came from: the opening `recentBookings` or the live subscription. */
  source: 'history' | 'live';
}

/** What the charts show; each null until its first answer. */
export interface History {
  health: HealthHistory | null;
  traffic: TrafficReport | null;
  hourly: HourlyStats[] | null;
}

/** Everything the page shows; views render it, nothing else reads the DOM. */
export interface State {
  token: string | null;
  signIn: { busy: boolean; error: string | null; needTotp: boolean };
  connection: ConnectionState;
  /** Why the connection failed or closed: shown above everything else. */
  connectionError: string | null;
  me: Me | null;
  services: ServiceStatus[];
  system: SystemHealth | null;
  incidents: Incident[] | null;
  feed: FeedRow[];
  history: History;
  /**
   * Per section: the error of its last query or subscription (e.g. FORBIDDEN for a member);
   * `serviceUpdates` for the serviceHealthChanged subscription (kept apart from the `services`
   * query's, so one succeeding does not hide the other failing); `general` for errors of no
   * one section (the whole operation failed).
   */
  errors: Partial<Record<Section, string>>;
  refreshedAt: Date | null;
}

export const initialState = (token: string | null): State => ({
  token,
  signIn: { busy: false, error: null, needTotp: false },
  connection: 'closed',
  connectionError: null,
  me: null,
  services: [],
  system: null,
  incidents: null,
  feed: [],
  history: { health: null, traffic: null, hourly: null },
  errors: {},
  refreshedAt: null,
});

/**
 * Puts a service's status in the list, in place. A snapshot can be answered after a newer
 * event arrived; the later `checkedAt` wins so the page never goes back in time.
 */
export function upsertService(services: readonly ServiceStatus[], next: ServiceStatus): ServiceStatus[] {
  const index = services.findIndex((s) => s.name === next.name);
  if (index < 0) return [...services, next].sort((a, b) => a.name.localeCompare(b.name));
  const current = services[index];
  if (current.checkedAt && next.checkedAt && Date.parse(next.checkedAt) < Date.parse(current.checkedAt)) return [...services];
  const copy = [...services];
  copy[index] = next;
  return copy;
}

/** Merges a whole list (a snapshot) with {@link upsertService}'s rule. */
export const mergeServices = (services: readonly ServiceStatus[], snapshot: readonly ServiceStatus[]): ServiceStatus[] =>
  snapshot.reduce<ServiceStatus[]>((list, s) => upsertService(list, s), [...services]);

const changed = (b: Booking) => Date.parse(b.updatedAt);

/**
 * Merges bookings into the feed: one row per booking, the version changed last winning (an
 * opening query answered after a live update carries the older one, which is dropped), the
 * last changed on top, the newest {@link FEED_LIMIT} kept. The feed opens with
 * `recentBookings` while the subscription is already listening, and re-reads it on every
 * reconnection, so whatever arrives twice is merged and nothing missed stays missing.
 */
export function mergeBookings(feed: readonly FeedRow[], bookings: readonly Booking[], source: FeedRow['source']): FeedRow[] {
  const rows = new Map(feed.map((row) => [row.id, row]));
  for (const booking of bookings) {
    const current = rows.get(booking.id);
    if (current && changed(current) > changed(booking)) continue;
    // The same version again keeps its row, only noting that the subscription brought it too.
    if (current && changed(current) === changed(booking) && current.status === booking.status) {
      if (source === 'live' && current.source !== 'live') rows.set(booking.id, { ...current, source });
      continue;
    }
    rows.set(booking.id, { ...booking, source });
  }
  return [...rows.values()].sort((a, b) => changed(b) - changed(a) || (a.id < b.id ? 1 : -1)).slice(0, FEED_LIMIT);
}

/** A live booking update: on top of the feed, replacing that booking's earlier row. */
export const pushBooking = (feed: readonly FeedRow[], booking: Booking): FeedRow[] => mergeBookings(feed, [booking], 'live');

export interface GraphQLErrorLike {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

/** `FORBIDDEN: Not authorized to access …`: the code first, as operators search for it. */
export function describeError(error: GraphQLErrorLike): string {
  const code = typeof error.extensions?.code === 'string' ? error.extensions.code : null;
  return code && !error.message.startsWith(code) ? `${code}: ${error.message}` : error.message;
}

/** Whatever a graphql-ws sink's `error` receives (errors, an array of them, a CloseEvent) as text. */
export function describeFailure(failure: unknown): string {
  if (Array.isArray(failure)) return failure.map((e) => describeError(e as GraphQLErrorLike)).join('; ');
  if (failure instanceof Error) return failure.message;
  if (failure && typeof failure === 'object' && 'code' in failure) {
    const { code, reason } = failure as { code: number; reason?: string };
    return reason ? `${reason} (${code})` : `the connection closed (${code})`;
  }
  return String(failure);
}
