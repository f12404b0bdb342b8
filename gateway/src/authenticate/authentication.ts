import { authenticate, createTokenVerifier, type Caller } from '@atrium/kit';
import type { GatewayModule } from '../module';
import { startRevocations } from './revocations';

export interface Authentication {
  /**
   * The caller behind an Authorization header (null: anonymous), over HTTP and at WebSocket
   * connect; throws a 401 UNAUTHENTICATED for a token that does not verify or whose session
   * was revoked.
   */
  identify(authorization: string | undefined): Promise<Caller | null>;
  /** Whether the caller's session has been revoked since it was identified. */
  revoked(caller: Caller | null): boolean;
  /** Calls `listener` with the sessions of each revocation heard; returns how to stop. */
  onRevoked(listener: (sessionIds: ReadonlySet<string>) => void): () => void;
}

/**
 * Who is calling: the bearer JWT verified against identity's JWKS, then refused if identity
 * has revoked its session since (revocations.ts, which listens on Redis whatever RATE_LIMIT
 * says; without Redis the gateway still starts, revocation not enforced). Adds `caller` and
 * the raw `authorization` (forwarded to subgraphs) to each HTTP request's context.
 */
export function authentication(): GatewayModule<Authentication> {
  return {
    name: 'authentication',
    async start({ config, log }) {
      const verify = createTokenVerifier({ jwks: config.JWKS_URL, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });
      const listeners = new Set<(sessionIds: ReadonlySet<string>) => void>();
      const revocations = await startRevocations({
        redisUrl: config.REDIS_URL,
        prefix: config.PUBSUB_PREFIX,
        memoryMs: config.REVOCATION_MEMORY_S * 1000,
        log,
        onRevoked: (sessionIds) => {
          for (const listener of listeners) listener(sessionIds);
        },
      });
      const identify = async (authorization: string | undefined) => revocations.admit(await authenticate(authorization, verify));
      return {
        identify,
        revoked: revocations.revoked,
        onRevoked(listener) {
          listeners.add(listener);
          return () => void listeners.delete(listener);
        },
        async context(req) {
          const authorization = req.headers.authorization;
          return { caller: await identify(authorization), authorization };
        },
        close: () => revocations.close(),
      };
    },
  };
}
