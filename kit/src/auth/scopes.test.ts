import { policies } from './policies';
import { ROLE_SCOPES, Scope, scopesFor } from './scopes';
import { satisfiesAny } from './caller';

describe('the roles → scopes table', () => {
  it('gives members no scope, managers the catalog and reports, admins everything', () => {
    expect(scopesFor(['MEMBER'])).toEqual([]);
    expect(scopesFor(['MANAGER'])).toEqual(['bookings:read', 'catalog:write', 'reports:read']);
    expect(scopesFor(['ADMIN'])).toEqual(Object.values(Scope).sort());
  });

  it('unions and de-duplicates the scopes of several roles', () => {
    expect(scopesFor(['MANAGER', 'ADMIN'])).toEqual(scopesFor(['ADMIN']));
    expect(ROLE_SCOPES.ADMIN).toEqual(expect.arrayContaining([...ROLE_SCOPES.MANAGER]));
  });

  it('reads [[a, b], [c]] as (a and b) or c', () => {
    const has = (granted: string[]) => (s: string) => granted.includes(s);
    expect(satisfiesAny([['a', 'b'], ['c']], has(['a', 'b']))).toBe(true);
    expect(satisfiesAny([['a', 'b'], ['c']], has(['c']))).toBe(true);
    expect(satisfiesAny([['a', 'b'], ['c']], has(['a']))).toBe(false);
  });
});

describe('the self_or_admin policy', () => {
  const ctx = (caller: { userId: string; scopes: string[] } | null, id: string) => ({
    caller: caller && { ...caller, roles: [], expiresAt: new Date() },
    typeName: 'Query',
    fieldName: 'user',
    args: { id },
  });
  it('allows the user themself and callers with users:read, and nobody else', () => {
    expect(policies.self_or_admin(ctx({ userId: 'u1', scopes: [] }, 'u1'))).toBe(true);
    expect(policies.self_or_admin(ctx({ userId: 'u2', scopes: ['users:read'] }, 'u1'))).toBe(true);
    expect(policies.self_or_admin(ctx({ userId: 'u2', scopes: ['catalog:write'] }, 'u1'))).toBe(false);
    expect(policies.self_or_admin(ctx(null, 'u1'))).toBe(false);
  });
});
