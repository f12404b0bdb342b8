import type { Role } from './scopes';

/** The verified identity behind a request, taken from its access token. */
export interface Caller {
  userId: string;
  roles: Role[];
  scopes: string[];
  /** The session (refresh-token family) the token was issued for. */
  sessionId?: string;
  /** When the access token stops being valid. */
  expiresAt: Date;
}

export const hasScope = (caller: Caller | null | undefined, scope: string): boolean =>
  !!caller && caller.scopes.includes(scope);

/**
 * `[[a, b], [c]]` means (a AND b) OR c — the shape of `@requiresScopes` and `@policy`.
 */
export function satisfiesAny(groups: readonly (readonly string[])[], test: (name: string) => boolean): boolean {
  return groups.some((group) => group.every(test));
}
