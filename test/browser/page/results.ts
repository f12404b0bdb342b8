// What the page exposes on `window` for the test to read (no DOM types here: the test's
// own, Node-side program imports these too).

export type Transport = 'websocket' | 'multipart' | 'sse';
export const TRANSPORTS: readonly Transport[] = ['websocket', 'multipart', 'sse'];

/** One result of the deferred query, as the page rendered it. */
export interface DeferRender {
  /** Apollo Client's `dataState`: `streaming` while deferred parts are missing, then `complete`. */
  dataState: string;
  status: string | null;
  /** The deferred workspace's name, null until it came. */
  workspace: string | null;
  city: string | null;
}

/** One `bookingUpdated` event a transport delivered. */
export interface LiveEvent {
  id: string;
  status: string;
  workspace: string | null;
}

export interface PageResults {
  defer: DeferRender[];
  live: Record<Transport, LiveEvent[]>;
  /** How each transport's subscription ended (`complete`, or the error), null while it runs. */
  ended: Record<Transport, string | null>;
  /** Subscriptions each transport's link was asked to start: a resubscription would count again. */
  starts: Record<Transport, number>;
  /** graphql-ws connections opened (the client reconnecting would count again). */
  socketConnections: number;
  /** Errors the page met (failed results, rejected promises). */
  errors: string[];
}

export interface PageApi {
  /** Runs the deferred booking query through HttpLink; each result lands in `results.defer`. */
  deferBooking(bookingId: string): void;
  /** Subscribes to `bookingUpdated(workspaceId)` over the three transports at once. */
  follow(workspaceId: string): void;
}

/** The page's globals. */
export interface PageWindow {
  results: PageResults;
  atrium: PageApi;
}
