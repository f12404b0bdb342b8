import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { GraphQLError } from 'graphql';
import { ErrorCode, unauthenticated } from '../errors';
import type { Caller } from './caller';
import { Role } from './scopes';

/** The one signing algorithm Atrium accepts: anything else (`none`, HS256…) is refused. */
export const ACCESS_TOKEN_ALG = 'ES256';

export interface TokenVerifierOptions {
  /** identity's JWKS URL, or a key resolver (identity uses its own keys directly). */
  jwks: string | JWTVerifyGetKey;
  issuer: string;
  audience: string;
  /** How many verified tokens to remember (0: verify every time). */
  cacheSize?: number;
  /**
   * Whether the key `kid` still verifies, asked on every use of a remembered token: where
   * keys can be withdrawn at once (identity retiring a compromised key), their tokens stop
   * being accepted at once too. Must be cheap (a lookup).
   */
  keyStillValid?: (kid: string) => boolean;
}

export type TokenVerifier = (token: string) => Promise<Caller>;

const ROLES = new Set<string>(Object.values(Role));

/** At most one forced JWKS reload per this many ms, whatever the tokens say. */
const FORCED_RELOAD_INTERVAL_MS = 1_000;

/**
 * identity's JWKS, cached (10 min) and reloaded as soon as a token names a key we have
 * not seen — identity may just have rotated — instead of waiting out jose's cooldown.
 * Forced reloads are spaced at least a second apart for the whole process and shared by
 * every request waiting on one, so tokens with made-up `kid`s cost at most one JWKS
 * request per second, and a genuine new key is picked up within a second even then.
 */
function followRotation(url: string): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
  let lastForced = 0;
  let pending: Promise<void> | null = null;
  const forcedReload = () =>
    (pending ??= new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, lastForced + FORCED_RELOAD_INTERVAL_MS - Date.now())))
      .then(() => {
        lastForced = Date.now();
        return remote.reload();
      })
      .finally(() => {
        pending = null;
      }));
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (err) {
      if (!(err instanceof joseErrors.JWKSNoMatchingKey)) throw err;
      await forcedReload();
      return remote(header, token);
    }
  };
}

/**
 * Verifies an access token by signature (against the JWKS, which is cached and re-fetched
 * when an unknown `kid` appears, so key rotation needs no restart), algorithm, expiry,
 * issuer and audience. Any failure is UNAUTHENTICATED with a reason, never a 500.
 *
 * A token verified once is remembered (by its exact text) until it expires: the same
 * token arrives with every request of a session, at the gateway and at each subgraph the
 * request reaches, and an ES256 verification was the largest single cost of a small
 * request (docs/benchmarks.md, "Levers"). Expiry is still checked on every use; only
 * tokens that verified are remembered; the oldest entry goes when the cache is full.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keys = typeof options.jwks === 'string' ? followRotation(options.jwks) : options.jwks;
  const verify = verifier(keys, options);
  const size = options.cacheSize ?? 10_000;
  if (size === 0) return async (token) => (await verify(token)).caller;
  const verified = new Map<string, { caller: Caller; kid: string }>();
  return async (token) => {
    const known = verified.get(token);
    if (known && (!options.keyStillValid || options.keyStillValid(known.kid))) {
      if (known.caller.expiresAt.getTime() > Date.now()) return known.caller;
      verified.delete(token);
      throw unauthenticated('Invalid access token: token expired');
    }
    if (known) verified.delete(token); // its key was withdrawn: verify again (and fail)
    const { caller, kid } = await verify(token);
    // Frozen: one object now serves many requests.
    Object.freeze(caller);
    Object.freeze(caller.roles);
    Object.freeze(caller.scopes);
    if (verified.size >= size) verified.delete(verified.keys().next().value!);
    verified.set(token, { caller, kid });
    return caller;
  };
}

function verifier(keys: JWTVerifyGetKey, options: TokenVerifierOptions): (token: string) => Promise<{ caller: Caller; kid: string }> {
  return async (token) => {
    let payload: JWTPayload;
    let kid: string;
    try {
      let protectedHeader;
      ({ payload, protectedHeader } = await jwtVerify(token, keys, {
        algorithms: [ACCESS_TOKEN_ALG],
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
      kid = protectedHeader.kid ?? '';
    } catch (err) {
      throw unauthenticated(`Invalid access token: ${describe(err)}`);
    }
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is Role => ROLES.has(r)) : [];
    const scopes = typeof payload.scope === 'string' && payload.scope ? payload.scope.split(' ') : [];
    const caller: Caller = {
      userId: payload.sub as string,
      roles,
      scopes,
      sessionId: typeof payload.sid === 'string' ? payload.sid : undefined,
      expiresAt: new Date((payload.exp as number) * 1000),
    };
    return { caller, kid };
  };
}

function describe(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'token expired';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'unknown signing key';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'signing algorithm not allowed';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad signature';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `claim "${err.claim}" invalid`;
  if (err instanceof joseErrors.JOSEError && !(err instanceof joseErrors.JWKSTimeout)) return 'malformed token';
  // A timeout or network error while fetching the JWKS: the token may be fine.
  return 'signing keys unavailable';
}

/** Extracts the token from an `Authorization: Bearer …` header; anything else is UNAUTHENTICATED. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw unauthenticated('Authorization header must be "Bearer <token>"');
  return match[1];
}

/**
 * The caller behind an `Authorization` header: null when there is none, the verified
 * caller for a valid bearer token, and otherwise a request-level UNAUTHENTICATED error
 * with HTTP 401 — the same rule at the gateway and in every subgraph.
 */
export async function authenticate(header: string | undefined, verify: TokenVerifier): Promise<Caller | null> {
  try {
    const token = bearerToken(header);
    return token ? await verify(token) : null;
  } catch (err) {
    const message = err instanceof Error ? err.message : 'Invalid access token';
    throw new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
  }
}
