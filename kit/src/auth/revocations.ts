import { topic } from '../pubsub';

/**
 * Sessions identity has just revoked (logout, password change, refresh-token reuse). Access
 * tokens name their session as `sid`, so whoever holds this can refuse the tokens of these
 * sessions before they expire — the gateway does (gateway/src/authenticate/revocations.ts).
 */
export interface SessionsRevoked {
  userId: string;
  /** The revoked sessions: the `sid` claim of their access tokens. Never empty. */
  sessionIds: string[];
  /** Why: `logout`, `password changed`, `refresh token reused`. */
  reason: string;
  /**
   * ISO-8601 instant by which every access token of these sessions has expired (the
   * revocation plus identity's ACCESS_TOKEN_TTL): remembering them longer is pointless.
   */
  tokensExpireBy: string;
}

/**
 * Announced by identity after the revoking transaction commits. A live event: at most once,
 * to whoever listens at that moment (not the durable event stream).
 */
export const SESSIONS_REVOKED = topic<SessionsRevoked>('sessions.revoked');
