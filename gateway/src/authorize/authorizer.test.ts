import { composeServices } from '@apollo/composition';
import { buildASTSchema, parse, print, validate, type DocumentNode } from 'graphql';
import { createAuthorizer, type Caller, type PolicyRegistry } from './index';

const FEDERATION = (imports: string) =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ${imports})\n`;
const AUTH_IMPORTS = '["@key", "@authenticated", "@requiresScopes", "@policy"]';

/** Composes tiny subgraphs with the real composition, so links and directives are genuine. */
function supergraph(subgraphs: Record<string, string>): string {
  const result = composeServices(
    Object.entries(subgraphs).map(([name, sdl]) => ({ name, url: `http://${name}`, typeDefs: parse(sdl) })),
  );
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.supergraphSdl;
}

const USERS = `${FEDERATION(AUTH_IMPORTS)}
  type Query {
    me: User @authenticated
    users: [User!]! @requiresScopes(scopes: [["users:read", "users:list"], ["admin"]])
    user(id: ID!): User @policy(policies: [["self"]])
    publicUsers: [User!]!
    secret: Secret
    level: Level
    feed: [FeedItem!]!
    search: [SearchResult!]!
    audit: String @policy(policies: [["toString"], ["missing"]])
    risky: String @policy(policies: [["throws"]])
  }
  type User @key(fields: "id") {
    id: ID!
    name: String
    email: String @requiresScopes(scopes: [["email:read"]])
    ssn: String! @policy(policies: [["hr"], ["self"]])
    friends: [User!]
    rank: Level
  }
  type Secret @authenticated { code: String }
  enum Level @requiresScopes(scopes: [["levels:read"]]) { LOW HIGH }
  interface FeedItem { id: ID! title: String }
  type Post implements FeedItem { id: ID! title: String body: String }
  type Ad implements FeedItem { id: ID! title: String @authenticated sponsor: String @requiresScopes(scopes: [["ads:read"]]) }
  union SearchResult = Post | Secret
`;
const REVIEWS = `${FEDERATION('["@key", "@authenticated"]')}
  type User @key(fields: "id") { id: ID! reviews: [Review!]! @authenticated }
  type Review { id: ID! body: String }
`;

const SDL = supergraph({ users: USERS, reviews: REVIEWS });
const schema = buildASTSchema(parse(SDL), { assumeValidSDL: true });

const policies: PolicyRegistry = {
  self: ({ caller, args }) => caller !== null && args.id === caller.userId,
  hr: ({ caller }) => !!caller?.roles.includes('HR'),
  throws: () => {
    throw new Error('policy backend down');
  },
};

const anonymous = null;
const member: Caller = { userId: 'u1', roles: ['MEMBER'], scopes: [] };
const withScopes = (...scopes: string[]): Caller => ({ userId: 'u1', roles: ['MEMBER'], scopes });

const authorizer = createAuthorizer(SDL, policies);

function authorize(query: string | DocumentNode, caller: Caller | null, variables?: Record<string, unknown>) {
  const document = typeof query === 'string' ? parse(query) : query;
  return { document, decision: authorizer.authorize({ document, variables, caller }) };
}

/** Prints a document compactly, for comparing filtered operations. */
const compact = (document: DocumentNode) => print(document).replace(/\s+/g, ' ').trim();

describe('createAuthorizer', () => {
  describe('deciding what a caller may select', () => {
    it('returns the very same document and an empty signature when the operation touches no protected field', () => {
      const document = parse('{ publicUsers { id name } }');
      const first = authorizer.authorize({ document, caller: anonymous });
      const second = authorizer.authorize({ document, caller: member });
      expect(first.document).toBe(document);
      expect(first.signature).toBe('');
      expect(first.skipExecution).toBe(false);
      // The decision for an untouched operation is computed once and reused as is.
      expect(second).toBe(first);
      expect(first.complete({ data: { publicUsers: [] } })).toEqual({ data: { publicUsers: [] } });
    });

    it('returns the original document when every protected field is allowed for the caller', () => {
      const { document, decision } = authorize('{ me { id email } }', withScopes('email:read'));
      expect(decision.document).toBe(document);
      expect(decision.signature).toBe('');
    });

    it('removes an @authenticated field for an anonymous caller and keeps the rest of the operation', () => {
      const { decision } = authorize('{ me { id } publicUsers { id } }', anonymous);
      expect(compact(decision.document)).toBe('{ publicUsers { id } }');
      expect(decision.skipExecution).toBe(false);
      expect(decision.complete({ data: { publicUsers: [{ id: '1' }] } })).toEqual({
        data: { publicUsers: [{ id: '1' }], me: null },
        errors: [
          {
            message: 'Not authorized to access Query.me: requires authentication',
            path: ['me'],
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      });
    });

    it('lets any authenticated caller select an @authenticated field', () => {
      const { document, decision } = authorize('{ me { id } }', member);
      expect(decision.document).toBe(document);
    });

    it('reads @requiresScopes as an OR of ANDs over the caller scopes', () => {
      const query = parse('{ users { id } }');
      expect(authorizer.authorize({ document: query, caller: withScopes('users:read') }).signature).not.toBe('');
      expect(authorizer.authorize({ document: query, caller: withScopes('users:list') }).signature).not.toBe('');
      expect(authorizer.authorize({ document: query, caller: withScopes('users:read', 'users:list') }).document).toBe(query);
      expect(authorizer.authorize({ document: query, caller: withScopes('admin') }).document).toBe(query);
    });

    it('answers FORBIDDEN to an authenticated caller lacking scopes and UNAUTHENTICATED to an anonymous one', () => {
      const forbidden = authorize('{ publicUsers { id } users { id } }', withScopes('users:read')).decision;
      expect(forbidden.complete({ data: { publicUsers: [] } }).errors).toEqual([
        {
          message: 'Not authorized to access Query.users: requires scopes (users:read and users:list) or admin',
          path: ['users'],
          extensions: { code: 'FORBIDDEN' },
        },
      ]);
      const unauthenticated = authorize('{ publicUsers { id } users { id } }', anonymous).decision;
      expect(unauthenticated.complete({ data: { publicUsers: [] } }).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });

    it('evaluates @policy with the field arguments, coerced from variables and their defaults', () => {
      const own = authorize('query ($id: ID!) { user(id: $id) { id } }', member, { id: 'u1' });
      expect(own.decision.document).toBe(own.document);
      const other = authorize('query ($id: ID!) { user(id: $id) { id } }', member, { id: 'u2' });
      expect(other.decision.signature).toBe('Query.user#0');
      const byDefault = authorize('query ($id: ID! = "u1") { user(id: $id) { id } }', member, {});
      expect(byDefault.decision.document).toBe(byDefault.document);
    });

    it('decides each occurrence of a field on its own arguments', () => {
      const { decision } = authorize('{ mine: user(id: "u1") { id } theirs: user(id: "u2") { id } }', member);
      expect(compact(decision.document)).toBe('{ mine: user(id: "u1") { id } }');
      expect(decision.signature).toBe('Query.user#1');
      expect(decision.complete({ data: { mine: { id: 'u1' } } }).errors?.map((error) => error.path)).toEqual([['theirs']]);
    });

    it('reads @policy as an OR of ANDs over policy names', () => {
      // ssn: [["hr"], ["self"]] — HR staff see everyone's, a user sees their own.
      const query = '{ user(id: "u2") { ssn } }';
      const hrCaller: Caller = { userId: 'u9', roles: ['HR'], scopes: [] };
      expect(authorize(query, hrCaller).decision.signature).toBe('Query.user#0');
      expect(authorize('{ publicUsers { ssn } }', hrCaller).decision.signature).toBe('');
      expect(authorize('{ publicUsers { ssn } }', member).decision.signature).toBe('User.ssn#0');
    });

    it('denies a policy name missing from the registry, including names of Object.prototype members', () => {
      const { decision } = authorize('{ audit publicUsers { id } }', member);
      expect(decision.signature).toBe('Query.audit#0');
      expect(decision.complete({ data: { publicUsers: [] } }).errors?.[0]).toMatchObject({
        message: 'Not authorized to access Query.audit: requires policies toString or missing',
        extensions: { code: 'FORBIDDEN' },
      });
    });

    it('denies when a policy throws', () => {
      expect(authorize('{ risky publicUsers { id } }', member).decision.signature).toBe('Query.risky#0');
    });

    it('applies a directive on an object type to every field returning it and to selections on it', () => {
      expect(authorize('{ secret { code } }', anonymous).decision.signature).toBe('Query.secret#0');
      expect(authorize('{ secret { code } }', member).decision.signature).toBe('');
      // Reached through a union, the type's fields are still refused.
      const { decision } = authorize('{ search { ... on Secret { code } ... on Post { id } } }', anonymous);
      expect(decision.signature).toBe('Secret.code#0');
    });

    it('applies a directive on an enum type to every field returning it', () => {
      const { decision } = authorize('{ level publicUsers { id rank } }', member);
      expect(decision.signature).toBe('Query.level#0,User.rank#1');
      expect(authorize('{ level publicUsers { id rank } }', withScopes('levels:read')).decision.signature).toBe('');
    });

    it('requires, for a field selected through an interface, what every implementation requires', () => {
      // Ad.title is @authenticated, so FeedItem.title could expose it: refused to anonymous callers.
      expect(authorize('{ feed { id title } }', anonymous).decision.signature).toBe('FeedItem.title#0');
      expect(authorize('{ feed { id ... on Post { title } } }', anonymous).decision.signature).toBe('');
    });

    it('enforces fields contributed by another subgraph', () => {
      const { decision } = authorize('{ publicUsers { id reviews { body } } }', anonymous);
      expect(decision.signature).toBe('User.reviews#0');
    });
  });

  describe('filtering the operation', () => {
    it('keeps fragments and aliases, drops emptied fragments and their now-unused variables', () => {
      const { decision } = authorize(
        `query Q($id: ID!, $flag: Boolean!) {
          people: publicUsers { ...Card ...Private @include(if: $flag) }
          user(id: $id) { id }
        }
        fragment Card on User { id mail: email }
        fragment Private on User { email }
        fragment Unused on User { name }`,
        member,
        { id: 'u2', flag: true },
      );
      expect(compact(decision.document)).toBe(
        'query Q { people: publicUsers { ...Card } } fragment Card on User { id }',
      );
      expect(validate(schema, decision.document)).toEqual([]);
    });

    it('filters the operation selected by name and leaves the document’s other operations out', () => {
      const document = parse('query Mine { me { id } publicUsers { id } } query Theirs { users { id } }');
      const mine = authorizer.authorize({ document, operationName: 'Mine', caller: anonymous });
      const theirs = authorizer.authorize({ document, operationName: 'Theirs', caller: withScopes('admin') });
      expect(compact(mine.document)).toBe('query Mine { publicUsers { id } }');
      expect(mine.signature).toBe('Query.me#0');
      expect(theirs.document).toBe(document);
    });

    it('keeps a selection set valid with __typename when all its fields are removed', () => {
      const { decision } = authorize('{ publicUsers { email } }', member);
      expect(compact(decision.document)).toBe('{ publicUsers { __typename } }');
      expect(validate(schema, decision.document)).toEqual([]);
    });

    it('asks for skipping execution when every root field is removed', () => {
      const { decision } = authorize('{ me { id } secret { code } }', anonymous);
      expect(decision.skipExecution).toBe(true);
      expect(validate(schema, decision.document)).toEqual([]);
      expect(decision.complete({})).toEqual({
        data: { me: null, secret: null },
        errors: [
          expect.objectContaining({ path: ['me'], extensions: { code: 'UNAUTHENTICATED' } }),
          expect.objectContaining({ path: ['secret'], extensions: { code: 'UNAUTHENTICATED' } }),
        ],
      });
    });

    it('gives the same signature and the same filtered document for the same removals', () => {
      const query = '{ me { id } users { id } publicUsers { id } }';
      const first = authorize(query, anonymous).decision;
      const again = authorize(query, anonymous).decision;
      expect(first.signature).toBe('Query.me#0,Query.users#1');
      // A fresh parse of the same text is a new document, with the same signature.
      expect(again.signature).toBe(first.signature);
      const document = parse(query);
      const cached = authorizer.authorize({ document, caller: anonymous });
      expect(authorizer.authorize({ document, caller: anonymous }).document).toBe(cached.document);
      // Different removals give a different signature.
      expect(authorize(query, member).decision.signature).toBe('Query.users#1');
    });
  });

  describe('completing the response', () => {
    it('reports one error per list item, with indices in the path', () => {
      const { decision } = authorize('{ publicUsers { id email } }', member);
      const result = decision.complete({ data: { publicUsers: [{ id: '1' }, { id: '2' }] } });
      expect(result.data).toEqual({ publicUsers: [{ id: '1', email: null }, { id: '2', email: null }] });
      expect(result.errors?.map((error) => error.path)).toEqual([
        ['publicUsers', 0, 'email'],
        ['publicUsers', 1, 'email'],
      ]);
    });

    it('reports errors at every nesting level of lists', () => {
      const { decision } = authorize('{ publicUsers { friends { email } } }', member);
      const result = decision.complete({
        data: { publicUsers: [{ friends: [{ __typename: 'User' }] }, { friends: null }, { friends: [{}, {}] }] },
      });
      expect(result.errors?.map((error) => error.path)).toEqual([
        ['publicUsers', 0, 'friends', 0, 'email'],
        ['publicUsers', 2, 'friends', 0, 'email'],
        ['publicUsers', 2, 'friends', 1, 'email'],
      ]);
    });

    it('propagates null from a removed non-null field to the nearest nullable ancestor', () => {
      // friends: [User!] — one refused ssn nulls the whole (nullable) list, not the user.
      const { decision } = authorize('{ user(id: "u1") { id friends { id ssn } } }', member);
      const result = decision.complete({ data: { user: { id: 'u1', friends: [{ id: 'u2' }, { id: 'u1' }] } } });
      expect(result.data).toEqual({ user: { id: 'u1', friends: null } });
      expect(result.errors).toHaveLength(2);
    });

    it('nulls the whole response when null propagation reaches the root', () => {
      // publicUsers: [User!]! and ssn: String! — nothing nullable on the way up.
      const { decision } = authorize('{ publicUsers { id ssn } }', member);
      const result = decision.complete({ data: { publicUsers: [{ id: 'u2' }] } });
      expect(result.data).toBeNull();
      expect(result.errors).toEqual([expect.objectContaining({ path: ['publicUsers', 0, 'ssn'] })]);
    });

    it('uses response keys of aliases and fields inside fragment spreads', () => {
      const { decision } = authorize(
        '{ people: publicUsers { ...Card } } fragment Card on User { id mail: email }',
        member,
      );
      const result = decision.complete({ data: { people: [{ id: '1' }] } });
      expect(result.data).toEqual({ people: [{ id: '1', mail: null }] });
      expect(result.errors?.[0]?.path).toEqual(['people', 0, 'mail']);
    });

    it('reports a field removed in several fragments once per response path', () => {
      const { decision } = authorize('{ publicUsers { email ... on User { email } ...E } } fragment E on User { email }', member);
      expect(decision.complete({ data: { publicUsers: [{}] } }).errors).toHaveLength(1);
    });

    it('honours @skip and @include as given by the variables', () => {
      const query = 'query ($show: Boolean!) { publicUsers { id email @include(if: $show) } }';
      const hidden = authorize(query, member, { show: false }).decision;
      expect(hidden.complete({ data: { publicUsers: [{ id: '1' }] } })).toEqual({ data: { publicUsers: [{ id: '1' }] } });
      const shown = authorize(query, member, { show: true }).decision;
      expect(shown.complete({ data: { publicUsers: [{ id: '1' }] } }).errors).toHaveLength(1);
    });

    it('reports removed fields under type conditions only for objects of that type, hiding the runtime type it needed', () => {
      const { decision } = authorize('{ feed { id ... on Ad { sponsor } ... on Post { body } } }', member);
      expect(compact(decision.document)).toBe('{ feed { id ... on Post { body } __authzRuntimeType: __typename } }');
      expect(validate(schema, decision.document)).toEqual([]);
      const result = decision.complete({
        data: {
          feed: [
            { id: 'p1', body: 'hello', __authzRuntimeType: 'Post' },
            { id: 'a1', __authzRuntimeType: 'Ad' },
          ],
        },
      });
      expect(result.data).toEqual({ feed: [{ id: 'p1', body: 'hello' }, { id: 'a1', sponsor: null }] });
      expect(result.errors).toEqual([
        {
          message: 'Not authorized to access Ad.sponsor: requires scope ads:read',
          path: ['feed', 1, 'sponsor'],
          extensions: { code: 'FORBIDDEN' },
        },
      ]);
    });

    it('handles unions the same way', () => {
      const { decision } = authorize('{ search { ... on Post { id } ... on Secret { code } } }', anonymous);
      const result = decision.complete({
        data: { search: [{ __authzRuntimeType: 'Secret' }, { id: 'p1', __authzRuntimeType: 'Post' }] },
      });
      expect(result.data).toEqual({ search: [{ code: null }, { id: 'p1' }] });
      expect(result.errors?.map((error) => error.path)).toEqual([['search', 0, 'code']]);
    });

    it('merges its errors after the response’s own errors', () => {
      const { decision } = authorize('{ me { id } publicUsers { id } }', anonymous);
      const own = { message: 'subgraph down', path: ['publicUsers'] };
      const result = decision.complete({ data: { publicUsers: null }, errors: [own] });
      expect(result.errors?.map((error) => error.message)).toEqual([
        'subgraph down',
        'Not authorized to access Query.me: requires authentication',
      ]);
    });

    it('adds nothing under an object the subgraphs returned as null', () => {
      const { decision } = authorize('{ user(id: "u1") { email } }', member);
      expect(decision.complete({ data: { user: null } })).toEqual({ data: { user: null } });
    });
  });

  describe('reading the supergraph', () => {
    it('honours directives renamed with as: in the imports', () => {
      const renamed = supergraph({
        users: `${FEDERATION('["@key", { name: "@authenticated", as: "@auth" }, { name: "@requiresScopes", as: "@scopes" }]')}
          type Query { me: String @auth reports: [String] @scopes(scopes: [["reports"]]) open: String }`,
      });
      const renamedAuthorizer = createAuthorizer(renamed, {});
      const document = parse('{ me reports open }');
      expect(renamedAuthorizer.authorize({ document, caller: anonymous }).signature).toBe('Query.me#0,Query.reports#1');
      expect(renamedAuthorizer.authorize({ document, caller: member }).signature).toBe('Query.reports#1');
      expect(renamedAuthorizer.authorize({ document, caller: withScopes('reports') }).document).toBe(document);
    });

    it('honours a namespace given to the link itself with as:', () => {
      const linked = supergraph({ users: `${FEDERATION('["@key"]')} type Query { me: String open: String }` }).replace(
        /schema\s*\n/,
        'schema\n  @link(url: "https://specs.apollo.dev/authenticated/v0.1", as: "mustLogIn", for: SECURITY)\n',
      ).replace(/\bme: String/, 'me: String @mustLogIn') + '\ndirective @mustLogIn on FIELD_DEFINITION\n';
      const document = parse('{ me open }');
      expect(createAuthorizer(linked, {}).authorize({ document, caller: anonymous }).signature).toBe('Query.me#0');
    });

    it('allows everything when the supergraph links none of the authorization specs', () => {
      const plain = supergraph({ users: `${FEDERATION('["@key"]')} type Query { me: String }` });
      expect(plain).not.toContain('specs.apollo.dev/authenticated');
      const document = parse('{ me }');
      const decision = createAuthorizer(plain, {}).authorize({ document, caller: anonymous });
      expect(decision.document).toBe(document);
      expect(decision.signature).toBe('');
      expect(decision.skipExecution).toBe(false);
    });

    it('ignores a directive named like a spec directive when the spec is not linked', () => {
      const lookalike = supergraph({ users: `${FEDERATION('["@key"]')} type Query { me: String }` })
        .replace(/\bme: String/, 'me: String @authenticated') + '\ndirective @authenticated on FIELD_DEFINITION\n';
      const document = parse('{ me }');
      expect(createAuthorizer(lookalike, {}).authorize({ document, caller: anonymous }).document).toBe(document);
    });

    it('refuses a supergraph linking an authorization spec version it does not implement', () => {
      const future = SDL.replace('https://specs.apollo.dev/requiresScopes/v0.1', 'https://specs.apollo.dev/requiresScopes/v0.2');
      expect(() => createAuthorizer(future, {})).toThrow(/requiresScopes\/v0\.2/);
    });
  });
});
