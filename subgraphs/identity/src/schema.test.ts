import { inspectSubgraph, type SubgraphSdl } from '@atrium/kit/testing';
import { buildSchema } from './schema';

/** The subgraph's SDL: what composition and the gateway's authorization see. */
describe('identity schema', () => {
  let s: SubgraphSdl;
  beforeAll(async () => {
    s = await inspectSubgraph(buildSchema());
  });

  it('declares User as an entity keyed by id', () => {
    expect(s.typeSdl('User')).toMatch(/^type User @key\(fields: "id"\) \{/);
  });

  it('makes email and mfaEnabled @authenticated and nullable, so a denied field does not null the user', () => {
    expect(s.field('User', 'email')).toBe('email: String @authenticated');
    expect(s.field('User', 'mfaEnabled')).toBe('mfaEnabled: Boolean @authenticated');
    expect(s.field('User', 'name')).toBe('name: String!');
    expect(s.field('User', 'roles')).toBe('roles: [Role!]!');
  });

  it('never exposes secrets as fields', () => {
    expect(s.typeSdl('User')).not.toMatch(/password|secret|mfaLastStep|mfaPending/i);
  });

  it('guards the admin and self-service operations with the security directives', () => {
    expect(s.field('Query', 'me')).toBe('me: User @authenticated');
    expect(s.field('Query', 'user')).toBe('user(id: ID!): User @policy(policies: [["self_or_admin"]])');
    expect(s.field('Query', 'users')).toBe('users(first: Int! = 20, after: String): UserConnection @requiresScopes(scopes: [["users:read"]])');
    expect(s.field('Mutation', 'setUserRoles')).toMatch(/^setUserRoles\(.*\): User! @requiresScopes\(scopes: \[\["users:admin"\]\]\)$/);
    expect(s.field('Mutation', 'retireSigningKey')).toBe('retireSigningKey(kid: String!): Boolean! @requiresScopes(scopes: [["system:admin"]])');
    expect(s.field('Mutation', 'rotateSigningKey')).toBe('rotateSigningKey: String! @requiresScopes(scopes: [["system:admin"]])');
    for (const name of ['changePassword', 'updateProfile', 'enableMfa', 'confirmMfa', 'disableMfa']) {
      expect(s.field('Mutation', name)).toMatch(/ @authenticated$/);
    }
  });

  it('leaves the sign-in operations open', () => {
    expect(s.field('Mutation', 'register')).toBe('register(input: RegisterInput!): AuthPayload!');
    expect(s.field('Mutation', 'login')).toBe('login(input: LoginInput!): AuthPayload!');
    expect(s.field('Mutation', 'refreshSession')).toBe('refreshSession(refreshToken: String!): AuthPayload!');
    expect(s.field('Mutation', 'logout')).toBe('logout(refreshToken: String!): Boolean!');
  });

  it('has the contract enum of roles', () => {
    expect(s.typeSdl('Role')).toBe('enum Role { MEMBER MANAGER ADMIN }');
  });
});
