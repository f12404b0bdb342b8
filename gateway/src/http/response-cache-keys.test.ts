import { parse } from 'graphql';
import { isIncremental, MAX_TTL_S, responseKey, ttlOf, whyUncacheable, type RequestFacts } from './response-cache-keys';

const PUBLIC = { maxAge: 60, scope: 'PUBLIC' as const };
const search: RequestFacts = { operation: 'query', anonymous: true, incremental: false, policy: PUBLIC, authorized: () => true };

describe('whyUncacheable', () => {
  it('caches an anonymous query whose every field is PUBLIC and that authorization leaves whole', () => {
    expect(whyUncacheable(search)).toBeUndefined();
  });

  it('never caches a mutation, a subscription, or an unresolved operation', () => {
    expect(whyUncacheable({ ...search, operation: 'mutation' })).toBe('not a query');
    expect(whyUncacheable({ ...search, operation: 'subscription' })).toBe('not a query');
    expect(whyUncacheable({ ...search, operation: undefined })).toBe('not a query');
  });

  it('never caches for a signed-in caller (the subgraphs’ row rules may differ per caller)', () => {
    expect(whyUncacheable({ ...search, anonymous: false })).toBe('not anonymous');
  });

  it('never caches an incremental (@defer) response', () => {
    expect(whyUncacheable({ ...search, incremental: true })).toBe('incremental');
  });

  it('caches only PUBLIC policies with a max age', () => {
    expect(whyUncacheable({ ...search, policy: { maxAge: 30, scope: 'PRIVATE' } })).toBe('not public');
    expect(whyUncacheable({ ...search, policy: { maxAge: 0, scope: 'PUBLIC' } })).toBe('not public');
    expect(whyUncacheable({ ...search, policy: undefined })).toBe('not public');
  });

  it('never caches what authorization refuses part of', () => {
    expect(whyUncacheable({ ...search, authorized: () => false })).toBe('refused fields');
  });

  it('asks authorization only of what it would cache (no second decision for a signed-in caller)', () => {
    const authorized = jest.fn(() => true);
    whyUncacheable({ ...search, anonymous: false, authorized });
    whyUncacheable({ ...search, policy: { maxAge: 30, scope: 'PRIVATE' }, authorized });
    expect(authorized).not.toHaveBeenCalled();
    whyUncacheable({ ...search, authorized });
    expect(authorized).toHaveBeenCalledTimes(1);
  });
});

describe('responseKey', () => {
  it('is one key per operation and variables, whatever the variables’ key order', () => {
    const key = responseKey('p', 'sg', 'hash', 'Search', { first: 20, filter: { city: 'Hamburg', kind: 'DESK' } });
    expect(responseKey('p', 'sg', 'hash', 'Search', { filter: { kind: 'DESK', city: 'Hamburg' }, first: 20 })).toBe(key);
    expect(key.startsWith('p:r:')).toBe(true);
  });

  it('differs with the document, the operation name, the variables and the supergraph', () => {
    const key = responseKey('p', 'sg', 'hash', 'Search', { first: 20 });
    expect(new Set([
      key,
      responseKey('p', 'sg', 'other', 'Search', { first: 20 }),
      responseKey('p', 'sg', 'hash', 'Other', { first: 20 }),
      responseKey('p', 'sg', 'hash', null, { first: 20 }),
      responseKey('p', 'sg', 'hash', 'Search', { first: 21 }),
      responseKey('p', 'sg2', 'hash', 'Search', { first: 20 }),
    ]).size).toBe(6);
  });
});

describe('ttlOf and isIncremental', () => {
  it('keeps a response for its max age, at most MAX_TTL_S', () => {
    expect(ttlOf(PUBLIC)).toBe(60);
    expect(ttlOf({ maxAge: 86_400, scope: 'PUBLIC' })).toBe(MAX_TTL_S);
  });

  it('finds @defer and @stream anywhere in the document', () => {
    expect(isIncremental(parse('{ workspaces { edges { node { id } } } }'))).toBe(false);
    expect(isIncremental(parse('{ workspaces { ... @defer { totalCount } } }'))).toBe(true);
    expect(isIncremental(parse('{ ...F } fragment F on Query { locations @stream { id } }'))).toBe(true);
  });
});
