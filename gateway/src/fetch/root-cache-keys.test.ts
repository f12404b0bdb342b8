import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import { getOperationAST, parse } from 'graphql';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fragmentsOf } from '../http/response-cache-keys';
import { responseTags } from '../http/response-cache-tags';
import { callerKey, keepable, rootFetchKey, whyRootUncacheable, type RootFetchFacts } from './root-cache-keys';

const member = { userId: 'u-1', roles: ['MEMBER' as const], scopes: ['bookings:write', 'profile:read'], expiresAt: new Date() };
const search: RootFetchFacts = { incoming: 'query', entities: false, policy: { maxAge: 60, scope: 'PUBLIC' }, caller: 'anonymous' };

describe('whyRootUncacheable', () => {
  it('caches the root fetch of a query whose every field the hints allow, for a verified caller or an anonymous one', () => {
    expect(whyRootUncacheable(search)).toBeUndefined();
    expect(whyRootUncacheable({ ...search, caller: callerKey({ caller: member, authorization: 'Bearer x' }) })).toBeUndefined();
  });

  it('caches a PRIVATE root fetch too: the key holds the caller whatever the scope', () => {
    expect(whyRootUncacheable({ ...search, policy: { maxAge: 30, scope: 'PRIVATE' } })).toBeUndefined();
  });

  it('never caches the fetches of a mutation or a subscription event, nor a fetch of no client operation', () => {
    expect(whyRootUncacheable({ ...search, incoming: 'mutation' })).toBe('not a query');
    expect(whyRootUncacheable({ ...search, incoming: 'subscription' })).toBe('not a query');
    expect(whyRootUncacheable({ ...search, incoming: undefined })).toBe('not a query');
  });

  it('leaves _entities fetches to the entity cache', () => {
    expect(whyRootUncacheable({ ...search, entities: true })).toBe('entities');
  });

  it('never caches a fetch the hints do not allow', () => {
    expect(whyRootUncacheable({ ...search, policy: { maxAge: 0, scope: 'PUBLIC' } })).toBe('hints');
    expect(whyRootUncacheable({ ...search, policy: undefined })).toBe('hints');
  });

  it('never caches for credentials the gateway did not verify into a caller', () => {
    expect(whyRootUncacheable({ ...search, caller: callerKey({ caller: null, authorization: 'Bearer forged' }) })).toBe('unverified credentials');
  });
});

describe('callerKey', () => {
  it('is one shared key for every anonymous caller (no credentials reach the subgraph)', () => {
    expect(callerKey({ caller: null })).toBe('anonymous');
    expect(callerKey(undefined)).toBe('anonymous');
  });

  it('is each user’s own, whatever the order of their claims', () => {
    const key = callerKey({ caller: member });
    expect(key).toMatch(/^user:3\.u-1:/);
    expect(callerKey({ caller: { ...member, userId: 'u-2' } })).not.toBe(key);
    expect(callerKey({ caller: { ...member, scopes: [...member.scopes].reverse() } })).toBe(key);
  });

  it('changes with the roles and scopes the subgraphs decide row rules by', () => {
    const key = callerKey({ caller: member });
    expect(callerKey({ caller: { ...member, roles: ['MEMBER', 'MANAGER'] } })).not.toBe(key);
    expect(callerKey({ caller: { ...member, scopes: [...member.scopes, 'workspaces:write'] } })).not.toBe(key);
  });

  it('cannot be forged by a user id holding a separator', () => {
    expect(callerKey({ caller: { ...member, userId: 'a:1' } })).not.toBe(callerKey({ caller: { ...member, userId: 'a' } }));
  });
});

describe('rootFetchKey', () => {
  const QUERY = 'query($first:Int!){workspaces(first:$first){edges{node{__typename id name}}}}';

  it('is the same for the same subgraph, caller and request, whatever the order of its variables', () => {
    expect(rootFetchKey('p', 'catalog', 'anonymous', QUERY, { first: 20, after: null })).toBe(rootFetchKey('p', 'catalog', 'anonymous', QUERY, { after: null, first: 20 }));
    expect(rootFetchKey('p', 'catalog', 'anonymous', QUERY, { first: 20 })).toMatch(/^p:q:/);
  });

  it('differs by subgraph, caller, operation and variables', () => {
    const key = rootFetchKey('p', 'catalog', 'user:1.a:x', QUERY, { first: 20 });
    expect(rootFetchKey('p', 'booking', 'user:1.a:x', QUERY, { first: 20 })).not.toBe(key);
    expect(rootFetchKey('p', 'catalog', 'user:1.b:x', QUERY, { first: 20 })).not.toBe(key);
    expect(rootFetchKey('p', 'catalog', 'user:1.a:x', QUERY.replace('name', 'capacity'), { first: 20 })).not.toBe(key);
    expect(rootFetchKey('p', 'catalog', 'user:1.a:x', QUERY, { first: 10 })).not.toBe(key);
  });
});

describe('keepable', () => {
  it('keeps an answer with data at every root field and no errors', () => {
    expect(keepable({ data: { workspaces: { edges: [] } } })).toBe(true);
    expect(keepable({ data: { recentBookings: [] }, errors: [] })).toBe(true);
  });

  it('never keeps an answer with errors, without data, or with a root field null', () => {
    expect(keepable({ data: { workspaces: { edges: [] } }, errors: [{ message: 'partial' }] })).toBe(false);
    expect(keepable({ data: null, errors: [{ message: 'refused' }] })).toBe(false);
    expect(keepable({})).toBe(false);
    expect(keepable({ data: {} })).toBe(false);
    expect(keepable({ data: { workspace: null } })).toBe(false);
    expect(keepable({ data: { a: { id: '1' }, b: null } })).toBe(false);
  });
});

describe('the tags of a root answer', () => {
  const sdl = readFileSync(path.join(__dirname, '..', '..', '..', 'schema', 'supergraph.graphql'), 'utf8');
  const schema = Supergraph.build(sdl, { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES }).apiSchema().toGraphQLJSSchema();
  const tags = (query: string, data: Record<string, unknown>) => {
    const document = parse(query);
    return responseTags(schema, getOperationAST(document)!, fragmentsOf(document), data);
  };

  it('names the entities a fetch as the planner writes it holds, and the types of its lists', () => {
    const query = 'query($first:Int!){workspaces(first:$first){edges{node{__typename id name location{__typename id city}}}}}';
    const data = { workspaces: { edges: [{ node: { __typename: 'Workspace', id: 'w1', name: 'Desk', location: { __typename: 'Location', id: 'l1', city: 'Hamburg' } } }] } };
    expect(tags(query, data)).toEqual(['Location:l1', 'Workspace:*', 'Workspace:w1']);
  });

  it('tags a caller’s list by its type, so that a booking created for anyone invalidates it', () => {
    const data = { recentBookings: [{ __typename: 'Booking', id: 'b1', status: 'CONFIRMED', workspace: { __typename: 'Workspace', id: 'w1' } }] };
    expect(tags('{recentBookings(first:10){__typename id status workspace{__typename id}}}', data)).toEqual(['Booking:*', 'Booking:b1', 'Workspace:w1']);
  });
});
