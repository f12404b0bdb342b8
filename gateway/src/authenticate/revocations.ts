import { createPubSub, SESSIONS_REVOKED, type Caller, type LiveStream, type Logger, type PubSub, type SessionsRevoked } from '@atrium/kit';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../errors';

export const SESSION_REVOKED_MESSAGE = 'The session was revoked: sign in again';

/** Clock skew allowed between identity and the gateway when trusting `tokensExpireBy`. */
const SKEW_MS = 60_000;
/** The longest a revocation is kept whatever identity says (its ACCESS_TOKEN_TTL is at most a day). */
const LONGEST_MS = 24 * 3600_000 + SKEW_MS;

/**
 * Revoked session ids, each remembered until no access token of it can still be valid.
 * Bounded in time (entries expire) and in size (past `maxEntries` the oldest go first —
 * failing open for them, as a Redis outage does — with a warning).
 */
export class RevokedSessions {
  /** Session id → when it may be forgotten (ms). Insertion order is nearly expiry order. */
  private readonly until = new Map<string, number>();
  private lastWarning = -Infinity;

  constructor(
    private readonly options: {
      /** How long an entry is kept at least. */
      memoryMs: number;
      maxEntries?: number;
      now?: () => number;
      log?: Logger;
    },
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Remembers `sessionId` for `memoryMs`, or until `tokensExpireBy` (+ skew) when that is later. */
  add(sessionId: string, tokensExpireBy?: number): void {
    const now = this.now();
    const announced = tokensExpireBy !== undefined && Number.isFinite(tokensExpireBy) ? Math.min(tokensExpireBy + SKEW_MS, now + LONGEST_MS) : 0;
    const until = Math.max(now + this.options.memoryMs, announced, this.until.get(sessionId) ?? 0);
    this.until.delete(sessionId); // re-inserted last: the order stays close to expiry order
    this.until.set(sessionId, until);
    this.prune(now);
  }

  has(sessionId: string): boolean {
    const until = this.until.get(sessionId);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(sessionId);
    return false;
  }

  get size(): number {
    return this.until.size;
  }

  /** Drops expired entries from the oldest on; past the size bound, a full sweep, then the oldest. */
  private prune(now: number): void {
    for (const [id, until] of this.until) {
      if (until > now) break;
      this.until.delete(id);
    }
    const max = this.options.maxEntries ?? 100_000;
    if (this.until.size <= max) return;
    for (const [id, until] of this.until) if (until <= now) this.until.delete(id);
    let forgotten = 0;
    for (const id of this.until.keys()) {
      if (this.until.size <= max) break;
      this.until.delete(id);
      forgotten++;
    }
    if (forgotten > 0 && now - this.lastWarning > 30_000) {
      this.lastWarning = now;
      this.options.log?.warn({ maxEntries: max }, 'too many revoked sessions to remember: forgetting the oldest before their tokens expire');
    }
  }
}

export interface RevocationOptions {
  redisUrl: string;
  /** The subgraphs' PUBSUB_PREFIX. */
  prefix: string;
  /** REVOCATION_MEMORY_S, in ms. */
  memoryMs: number;
  log: Logger;
  /** Called for each revocation heard, once its sessions are remembered (the gateway ends their subscriptions). */
  onRevoked(sessionIds: ReadonlySet<string>, event: SessionsRevoked): void;
  /** First wait before trying Redis again while it is unreachable (doubling, at most a minute). */
  retryMs?: number;
  maxEntries?: number;
}

export interface Revocations {
  readonly sessions: RevokedSessions;
  /** Whether it has subscribed to revocations (after a later Redis outage, ioredis resubscribes by itself). */
  readonly listening: boolean;
  /** Whether the caller's session was revoked (a token without `sid` never is). */
  revoked(caller: Caller | null): boolean;
  /**
   * `caller`, or — when its session was revoked — the same request-level UNAUTHENTICATED
   * error (HTTP 401) as an invalid token: the check after `authenticate`, at WebSocket connect
   * and on every HTTP request.
   */
  admit(caller: Caller | null): Caller | null;
  close(): Promise<void>;
}

/**
 * Listens to identity's SESSIONS_REVOKED announcements (Redis pub/sub, its own connections,
 * whatever RATE_LIMIT says) and remembers the revoked sessions, so their access tokens stop
 * working at the gateway before they expire. Resolves once subscribed, or — Redis being
 * unreachable — at once with a warning, retrying in the background: revocation is then not
 * enforced (tokens still end at expiry), but the gateway serves. Announcements made while
 * it is not subscribed are missed (live events are at most once).
 */
export async function startRevocations(options: RevocationOptions): Promise<Revocations> {
  const { log } = options;
  const sessions = new RevokedSessions({ memoryMs: options.memoryMs, maxEntries: options.maxEntries, log });
  let pubSub: PubSub | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  let failures = 0;
  let attempt: Promise<void> = Promise.resolve();

  const handle = (event: SessionsRevoked) => {
    const ids = Array.isArray(event?.sessionIds) ? event.sessionIds.filter((id): id is string => typeof id === 'string' && id.length > 0) : [];
    if (ids.length === 0) return;
    const expireBy = typeof event.tokensExpireBy === 'string' ? Date.parse(event.tokensExpireBy) : undefined;
    for (const id of ids) sessions.add(id, expireBy);
    log.info({ userId: event.userId, sessions: ids.length, reason: event.reason }, 'sessions revoked');
    try {
      options.onRevoked(new Set(ids), event);
    } catch (err) {
      log.error({ err }, 'ending the subscriptions of revoked sessions failed');
    }
  };

  const consume = async (stream: LiveStream<SessionsRevoked>) => {
    for await (const event of stream) handle(event);
  };

  const connect = async (): Promise<void> => {
    let candidate: PubSub | undefined;
    try {
      candidate = await createPubSub({ redisUrl: options.redisUrl, prefix: options.prefix, log, name: 'gateway-revocations' });
      const stream = candidate.subscribe(SESSIONS_REVOKED);
      await stream.ready;
      if (closed) return void (await candidate.close());
      pubSub = candidate;
      void consume(stream);
      if (failures > 0) log.info('session revocations enforced again (Redis reachable)');
      failures = 0;
    } catch (err) {
      await candidate?.close().catch(() => undefined);
      if (closed) return;
      // Warned once, not at every retry.
      if (failures++ === 0) {
        log.warn({ err, redis: options.redisUrl }, 'session revocations not enforced (Redis unreachable): revoked tokens work until they expire; retrying');
      }
      const wait = Math.min((options.retryMs ?? 5_000) * 2 ** Math.min(failures - 1, 4), 60_000); // 5 s, 10 s… at most a minute
      retry = setTimeout(() => void (attempt = connect()), wait);
      retry.unref();
    }
  };
  await (attempt = connect());

  const revoked = (caller: Caller | null) => !!caller?.sessionId && sessions.has(caller.sessionId);
  return {
    sessions,
    get listening() {
      return !!pubSub;
    },
    revoked,
    admit(caller) {
      if (revoked(caller)) throw new GraphQLError(SESSION_REVOKED_MESSAGE, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
      return caller;
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await attempt; // an attempt under way closes what it opened
      await pubSub?.close();
    },
  };
}
