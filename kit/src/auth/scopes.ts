/**
 * Roles and the scopes they grant: the one table that decides what each role may do.
 * identity writes `scopesFor(roles)` into every access token's `scope` claim; the gateway
 * (`@requiresScopes`) and each subgraph check the claim, never the roles directly.
 *
 * | scope             | MEMBER | MANAGER | ADMIN | grants                                       |
 * |-------------------|:------:|:-------:|:-----:|----------------------------------------------|
 * | `catalog:write`   |        |    x    |   x   | create/update/archive locations, workspaces  |
 * | `bookings:read`   |        |    x    |   x   | read every member's bookings                 |
 * | `reports:read`    |        |    x    |   x   | activity log, daily stats, workspace stats   |
 * | `users:read`      |        |         |   x   | list users, read any user's e-mail           |
 * | `users:admin`     |        |         |   x   | change roles                                 |
 * | `system:admin`    |        |         |   x   | health administration, key rotation          |
 *
 * What every signed-in member may do (their own profile, bookings, payments and
 * notifications) needs no scope: `@authenticated` plus row rules in the subgraphs.
 */
export const Role = { MEMBER: 'MEMBER', MANAGER: 'MANAGER', ADMIN: 'ADMIN' } as const;
export type Role = (typeof Role)[keyof typeof Role];

export const Scope = {
  CATALOG_WRITE: 'catalog:write',
  BOOKINGS_READ: 'bookings:read',
  REPORTS_READ: 'reports:read',
  USERS_READ: 'users:read',
  USERS_ADMIN: 'users:admin',
  SYSTEM_ADMIN: 'system:admin',
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

const MANAGER_SCOPES: Scope[] = [Scope.CATALOG_WRITE, Scope.BOOKINGS_READ, Scope.REPORTS_READ];

export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  MEMBER: [],
  MANAGER: MANAGER_SCOPES,
  ADMIN: [...MANAGER_SCOPES, Scope.USERS_READ, Scope.USERS_ADMIN, Scope.SYSTEM_ADMIN],
};

/** The union of the scopes granted by `roles`, sorted (stable token contents). */
export function scopesFor(roles: readonly Role[]): Scope[] {
  return [...new Set(roles.flatMap((r) => ROLE_SCOPES[r] ?? []))].sort();
}
