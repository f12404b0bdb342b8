/**
 * The identity floor's authentication and authorization: the same rules as Atrium's
 * identity subgraph (kit/src/auth/verify.ts and kit/src/subgraph/security-directives.ts),
 * written with `jose` and plain functions, without kit's decorators, Apollo's error
 * helpers or type-graphql's auth checker.
 *
 * - A bearer token is verified by signature (ES256 only), expiry, issuer, audience and the
 *   required claims `sub`, `exp`, `iat`; a token that verified is remembered until it
 *   expires (expiry checked on every use), as Atrium's verifier does.
 * - A missing header is an anonymous caller; a malformed or invalid token is a request-level
 *   UNAUTHENTICATED error with HTTP 401.
 * - `@authenticated`, `@requiresScopes` and `@policy` are checked per field by
 *   {@link requireCaller}, {@link requireScopes} and {@link requirePolicy}.
 */
import { errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { GraphQLError } from 'graphql';
import { policies, type PolicyContext } from '../../kit/src/auth/policies';

/** The one signing algorithm Atrium accepts (kit/src/auth/verify.ts, ACCESS_TOKEN_ALG). */
export const FLOOR_TOKEN_ALG = 'ES256';

/** The caller behind a verified token (the fields Atrium's `Caller` has that the floor uses). */
export interface FloorCaller {
  userId: string;
  roles: string[];
  scopes: string[];
  expiresAt: number;
}

export const unauthenticated = (message: string) => new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } });
export const forbidden = (message: string) => new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });

/** A request-level authentication failure: the whole response is this error, HTTP 401. */
export class AuthenticationFailure extends Error {}

export interface FloorVerifierOptions {
  keys: JWTVerifyGetKey;
  issuer: string;
  audience: string;
  /** Verified tokens remembered at most (oldest out first). */
  cacheSize?: number;
  /** The clock (ms), for tests of expiry. */
  now?: () => number;
}

const ROLES = new Set(['MEMBER', 'MANAGER', 'ADMIN']);

function reason(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'token expired';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'unknown signing key';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'signing algorithm not allowed';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad signature';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `claim "${err.claim}" invalid`;
  return 'malformed token';
}

/** Verifies access tokens as Atrium does; rejects with {@link AuthenticationFailure}. */
export function createFloorVerifier(options: FloorVerifierOptions): (token: string) => Promise<FloorCaller> {
  const size = options.cacheSize ?? 10_000;
  const now = options.now ?? Date.now;
  const verified = new Map<string, FloorCaller>();
  return async (token) => {
    const known = verified.get(token);
    if (known) {
      if (known.expiresAt > now()) return known;
      verified.delete(token);
      throw new AuthenticationFailure('Invalid access token: token expired');
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, options.keys, {
        algorithms: [FLOOR_TOKEN_ALG],
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['sub', 'exp', 'iat'],
        currentDate: new Date(now()),
      }));
    } catch (err) {
      throw new AuthenticationFailure(`Invalid access token: ${reason(err)}`);
    }
    const caller: FloorCaller = {
      userId: payload.sub as string,
      roles: Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string' && ROLES.has(r)) : [],
      scopes: typeof payload.scope === 'string' && payload.scope ? payload.scope.split(' ') : [],
      expiresAt: (payload.exp as number) * 1000,
    };
    if (verified.size >= size) verified.delete(verified.keys().next().value!);
    verified.set(token, caller);
    return caller;
  };
}

/** The token of an `Authorization` header: null without one; anything but `Bearer <token>` fails. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw new AuthenticationFailure('Authorization header must be "Bearer <token>"');
  return match[1];
}

/** `@authenticated` (and the first step of every other rule): a signed-in caller. */
export function requireCaller(caller: FloorCaller | null, coordinate: string): FloorCaller {
  if (!caller) throw unauthenticated(`Authentication required to access ${coordinate}`);
  return caller;
}

/** `@requiresScopes(scopes: groups)`: all scopes of one group at least. */
export function requireScopes(caller: FloorCaller | null, groups: readonly (readonly string[])[], coordinate: string): void {
  const who = requireCaller(caller, coordinate);
  if (!groups.some((group) => group.every((s) => who.scopes.includes(s)))) {
    throw forbidden(`Not authorized to access ${coordinate}: requires scope ${groups.map((g) => g.join(' and ')).join(' or ')}`);
  }
}

/** `@policy(policies: groups)`, evaluated with Atrium's own policy functions (kit/src/auth/policies.ts). */
export function requirePolicy(caller: FloorCaller | null, groups: readonly (readonly string[])[], coordinate: string, args: Record<string, unknown>): void {
  const who = requireCaller(caller, coordinate);
  const [typeName, fieldName] = coordinate.split('.');
  // Atrium's policies read `userId` and `scopes` only; the rest of its Caller is not needed.
  const ctx = { caller: { ...who, expiresAt: new Date(who.expiresAt) }, typeName, fieldName, args } as PolicyContext;
  if (!groups.some((group) => group.every((name) => policies[name]?.(ctx) ?? false))) {
    throw forbidden(`Not authorized to access ${coordinate}: policy ${groups.map((g) => g.join(' and ')).join(' or ')} denies it`);
  }
}
