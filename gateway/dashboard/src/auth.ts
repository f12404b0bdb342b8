import { idNotKnown, LOGIN, LOGOUT, operationRequest, REFRESH, type Operation } from './operations';
import { describeError, type GraphQLErrorLike } from './state';

/** A signed-in dashboard: the access token, and the refresh token when signed in by password. */
export interface Session {
  accessToken: string;
  refreshToken?: string;
}

// sessionStorage, not localStorage: the token stays with this tab and goes when it closes.
const KEY = 'atrium.dashboard.session';

export function loadSession(): Session | null {
  try {
    const session = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return session && typeof session.accessToken === 'string' ? session : null;
  } catch {
    return null;
  }
}

export const saveSession = (session: Session): void => sessionStorage.setItem(KEY, JSON.stringify(session));
export const clearSession = (): void => sessionStorage.removeItem(KEY);

/** A failed sign-in, with the error's code and reason (MFA_REQUIRED asks for a one-time code). */
export class AuthError extends Error {
  constructor(
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

type Answer<T> = { data?: T | null; errors?: GraphQLErrorLike[] };

/** Set once the gateway said it does not read the manifest (TRUSTED_DOCUMENTS=off): bodies from then on. */
let sendBodies = false;

/** One request over HTTP to this origin's /graphql (Apollo's CSRF check wants JSON). */
async function send<T>(op: Operation, variables: Record<string, unknown>, withBody: boolean): Promise<Answer<T>> {
  try {
    const res = await fetch(new URL('/graphql', location.origin), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(operationRequest(op, variables, withBody)),
    });
    return (await res.json()) as Answer<T>;
  } catch (err) {
    throw new AuthError(`The gateway did not answer: ${(err as Error).message}`);
  }
}

/** One operation, sent by its id (its body when the gateway does not read the manifest). */
async function post<T>(op: Operation, variables: Record<string, unknown>): Promise<T> {
  const withBody = sendBodies;
  let body = await send<T>(op, variables, withBody);
  if (!withBody && idNotKnown(body.errors)) {
    sendBodies = true;
    body = await send<T>(op, variables, true);
  }
  const error = body.errors?.[0];
  if (error || !body.data) {
    const reason = typeof error?.extensions?.reason === 'string' ? error.extensions.reason : undefined;
    throw new AuthError(error ? describeError(error) : 'The gateway returned no data', reason);
  }
  return body.data;
}

interface AuthPayload {
  accessToken: string;
  refreshToken: string;
}

export async function login(email: string, password: string, totp?: string): Promise<Session> {
  const input = { email, password, ...(totp ? { totp } : {}) };
  const { login: payload } = await post<{ login: AuthPayload }>(LOGIN, { input });
  return { accessToken: payload.accessToken, refreshToken: payload.refreshToken };
}

/** Exchanges the (single-use) refresh token for a new pair. */
export async function refresh(refreshToken: string): Promise<Session> {
  const { refreshSession: payload } = await post<{ refreshSession: AuthPayload }>(REFRESH, { token: refreshToken });
  return { accessToken: payload.accessToken, refreshToken: payload.refreshToken };
}

/** Ends the server-side session; best effort, signing out locally happens regardless. */
export async function logout(refreshToken: string): Promise<void> {
  await post(LOGOUT, { token: refreshToken }).catch(() => undefined);
}

/** `Bearer eyJ…` or `eyJ…` → `eyJ…`; null unless it has a JWT's three parts. */
export function normalizeToken(text: string): string | null {
  const token = text.trim().replace(/^Bearer\s+/i, '');
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token) ? token : null;
}

/**
 * When the access token expires, read from its `exp` claim (not verified: the gateway does
 * that; the page only needs to know when to refresh or ask for a new one).
 */
export function expiresAt(token: string): Date | null {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(part.padEnd(Math.ceil(part.length / 4) * 4, '='))) as { exp?: unknown };
    return typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : null;
  } catch {
    return null;
  }
}
