import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import { parse } from 'graphql';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cacheControlHeader, cachePolicy, entityFetchPolicies, readCacheHints, rootFetchPolicy } from './cache-policy';

// Against Atrium's own composed supergraph: the hints the subgraphs declare are what count.
const sdl = readFileSync(path.join(__dirname, '..', '..', '..', 'schema', 'supergraph.graphql'), 'utf8');
const schema = Supergraph.build(sdl, { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES }).apiSchema().toGraphQLJSSchema();
const hints = readCacheHints(sdl);
const policy = (query: string, operationName?: string) => cachePolicy(schema, hints, parse(query), operationName);

describe('readCacheHints', () => {
  it('reads the hints the subgraphs composed into the supergraph, on types and fields', () => {
    expect(hints.types.get('Workspace')).toEqual({ maxAge: 60, scope: 'PUBLIC' });
    expect(hints.types.get('Booking')).toEqual({ maxAge: 30, scope: 'PRIVATE' });
    expect(hints.types.get('WorkspaceConnection')).toEqual({ inheritMaxAge: true });
    expect(hints.fields.get('Query.workspaces')).toEqual({ maxAge: 60, scope: 'PUBLIC' });
    expect(hints.types.has('User')).toBe(false);
  });
});

describe('cachePolicy', () => {
  it('gives the catalog search its field hint, through the connection and edges that inherit it', () => {
    expect(policy('{ workspaces(first: 5) { totalCount edges { cursor node { id name hourlyRate { amount currency } location { city } } } pageInfo { hasNextPage } } }')).toEqual({
      maxAge: 60,
      scope: 'PUBLIC',
    });
  });

  it('takes a root field’s type hint when the field has none', () => {
    expect(policy('query($id: ID!) { workspace(id: $id) { name location { city } } }')).toEqual({ maxAge: 60, scope: 'PUBLIC' });
  });

  it('is the smallest max age, and PRIVATE as soon as one hint is', () => {
    expect(policy('query($id: ID!) { booking(id: $id) { status workspace { name } } }')).toEqual({ maxAge: 30, scope: 'PRIVATE' });
  });

  it('makes a response uncacheable as soon as it reaches a type without a hint (a user, whose e-mail is theirs)', () => {
    expect(policy('query($id: ID!) { workspace(id: $id) { name createdBy { name } } }').maxAge).toBe(0);
    expect(policy('{ me { id bookings(first: 5) { edges { node { status } } } } }').maxAge).toBe(0);
  });

  it('counts fields in fragments, named and inline', () => {
    expect(policy('query($id: ID!) { workspace(id: $id) { ...W } } fragment W on Workspace { name createdBy { name } }').maxAge).toBe(0);
    expect(policy('query($id: ID!) { workspace(id: $id) { ... on Workspace { name } } }')).toEqual({ maxAge: 60, scope: 'PUBLIC' });
  });

  it('never caches a mutation, or an operation it cannot find', () => {
    expect(policy('mutation { logout(refreshToken: "x") }').maxAge).toBe(0);
    expect(policy('query A { locations { id } } query B { locations { id } }', 'C').maxAge).toBe(0);
    expect(policy('query A { locations { id } } query B { locations { id } }', 'B')).toEqual({ maxAge: 60, scope: 'PUBLIC' });
  });
});

describe('cacheControlHeader', () => {
  it('is public only for anonymous requests on PUBLIC data, private for a caller, no-store otherwise', () => {
    const publicPolicy = { maxAge: 60, scope: 'PUBLIC' as const };
    expect(cacheControlHeader(publicPolicy, { anonymous: true, errors: false })).toBe('max-age=60, public');
    expect(cacheControlHeader(publicPolicy, { anonymous: false, errors: false })).toBe('max-age=60, private');
    expect(cacheControlHeader({ maxAge: 30, scope: 'PRIVATE' }, { anonymous: true, errors: false })).toBe('max-age=30, private');
    expect(cacheControlHeader(publicPolicy, { anonymous: true, errors: true })).toBe('no-store');
    expect(cacheControlHeader({ maxAge: 0, scope: 'PUBLIC' }, { anonymous: true, errors: false })).toBe('no-store');
  });
});

describe('entityFetchPolicies', () => {
  const entities = (query: string) => entityFetchPolicies(schema, hints, parse(query));
  const fetch = (selection: string) => `query($representations:[_Any!]!){_entities(representations:$representations){${selection}}}`;

  it('gives each entity type of an _entities fetch its type hint, inherited by its fields', () => {
    expect(entities(fetch('...on Workspace{__typename name hourlyRate{amount currency} location{city}}'))).toEqual(new Map([['Workspace', { maxAge: 60, scope: 'PUBLIC' }]]));
    expect(entities(fetch('...on Booking{__typename payment{status amount{amount}}}'))).toEqual(new Map([['Booking', { maxAge: 30, scope: 'PRIVATE' }]]));
  });

  it('makes a type PRIVATE when its selection reaches a PRIVATE field', () => {
    expect(entities(fetch('...on Workspace{bookings(first:5){edges{node{id status}}}}')).get('Workspace')).toEqual({ maxAge: 30, scope: 'PRIVATE' });
  });

  it('caches nothing for a type without a hint, a selection reaching one, or an unknown field', () => {
    expect(entities(fetch('...on User{__typename bookings{totalCount}}')).size).toBe(0);
    expect(entities(fetch('...on Workspace{createdBy{name}}')).size).toBe(0);
    expect(entities(fetch('...on Workspace{notInTheApi}')).size).toBe(0);
  });

  it('is empty for anything but an _entities query', () => {
    expect(entities('query($id: ID!) { workspace(id: $id) { name } }').size).toBe(0);
    expect(entities('mutation { logout(refreshToken: "x") }').size).toBe(0);
  });

  it('takes each type of a fetch on its own', () => {
    const both = entities(fetch('...on Workspace{name} ...on Location{city}'));
    expect(both).toEqual(new Map([
      ['Workspace', { maxAge: 60, scope: 'PUBLIC' }],
      ['Location', { maxAge: 60, scope: 'PUBLIC' }],
    ]));
  });
});

describe('rootFetchPolicy', () => {
  const root = (query: string) => rootFetchPolicy(schema, hints, parse(query));

  it('gives a root fetch as the planner writes it the policy of its fields, __typename and keys included', () => {
    expect(root('query Search__catalog__0($first:Int!){workspaces(first:$first){edges{node{__typename id name capacity location{__typename id city}}}}}')).toEqual({ maxAge: 60, scope: 'PUBLIC' });
    expect(root('query($id:ID!){workspace(id:$id){__typename id name}}')).toEqual({ maxAge: 60, scope: 'PUBLIC' });
  });

  it('reports PRIVATE for a caller\'s own data (the root cache keys every answer by its caller anyway)', () => {
    expect(root('{recentBookings(first:10){__typename id status}}')).toEqual({ maxAge: 30, scope: 'PRIVATE' });
    expect(root('query($id:ID!){booking(id:$id){__typename id status workspace{__typename id}}}')).toEqual({ maxAge: 30, scope: 'PRIVATE' });
  });

  it('caches nothing that reaches a type without a hint, or a field the API schema does not know', () => {
    expect(root('{me{__typename id name}}').maxAge).toBe(0);
    expect(root('query($id:ID!){workspace(id:$id){name createdBy{__typename id}}}').maxAge).toBe(0);
    expect(root('{workspaces{edges{node{notInTheApi}}}}').maxAge).toBe(0);
  });

  it('never caches an _entities fetch, a mutation, or a fetch of __typename alone', () => {
    expect(root('query($representations:[_Any!]!){_entities(representations:$representations){...on Workspace{name}}}').maxAge).toBe(0);
    expect(root('mutation($id:ID!){archiveWorkspace(id:$id){__typename id active}}').maxAge).toBe(0);
    expect(root('{__typename}').maxAge).toBe(0);
  });

  it('counts fields in the fragments the planner names', () => {
    expect(root('query{workspaces{edges{node{...W}}}} fragment W on Workspace{__typename id name}')).toEqual({ maxAge: 60, scope: 'PUBLIC' });
    expect(root('query($id:ID!){workspace(id:$id){...W}} fragment W on Workspace{createdBy{name}}').maxAge).toBe(0);
  });
});
