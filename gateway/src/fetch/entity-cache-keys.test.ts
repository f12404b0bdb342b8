import { entityKey, entryOf, erroredEntities, fetchHash, freshEntry, mergeEntities, stableJson } from './entity-cache-keys';

const policies = new Map([
  ['Workspace', { maxAge: 60, scope: 'PUBLIC' as const }],
  ['Booking', { maxAge: 30, scope: 'PRIVATE' as const }],
]);
const OP = 'query($representations:[_Any!]!){_entities(representations:$representations){...on Workspace{name}}}';

describe('stableJson', () => {
  it('writes one string for a value whatever the order of its keys, at every level', () => {
    expect(stableJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(stableJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
    expect(stableJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });
});

describe('fetchHash', () => {
  it('depends on the operation and the variables other than the representations', () => {
    expect(fetchHash(OP, { representations: [{ id: '1' }] })).toBe(fetchHash(OP, { representations: [{ id: '2' }] }));
    expect(fetchHash(OP, { from: 'a', to: 'b' })).toBe(fetchHash(OP, { to: 'b', from: 'a' }));
    expect(fetchHash(OP, { from: 'a' })).not.toBe(fetchHash(OP, { from: 'b' }));
    expect(fetchHash(OP, {})).not.toBe(fetchHash(`${OP} `, {}));
  });
});

describe('entityKey', () => {
  it('names a PUBLIC entity by subgraph, type, id and fetch, the same for every caller', () => {
    const anonymous = entityKey('p', 'catalog', 'h', { __typename: 'Workspace', id: 'w1' }, policies, undefined)!;
    expect(anonymous).toMatchObject({ type: 'Workspace', id: 'w1', hashKey: 'p:e:Workspace:w1', generationKey: 'p:g:Workspace:w1', field: 'catalog:h:public' });
    expect(entityKey('p', 'catalog', 'h', { id: 'w1', __typename: 'Workspace' }, policies, 'u1')).toEqual(anonymous);
  });

  it('keys a PRIVATE entity by the caller, and never caches it for an anonymous caller', () => {
    const a = entityKey('p', 'payment', 'h', { __typename: 'Booking', id: 'b1' }, policies, 'alice')!;
    const b = entityKey('p', 'payment', 'h', { __typename: 'Booking', id: 'b1' }, policies, 'bob')!;
    expect(a.hashKey).toBe(b.hashKey); // one DEL forgets both
    expect(a.field).not.toBe(b.field);
    expect(a.memoryKey).not.toBe(b.memoryKey);
    expect(entityKey('p', 'payment', 'h', { __typename: 'Booking', id: 'b1' }, policies, undefined)).toBeUndefined();
  });

  it('caches nothing for a type without a policy, or a representation without an id', () => {
    expect(entityKey('p', 'booking', 'h', { __typename: 'User', id: 'u1' }, policies, 'u1')).toBeUndefined();
    expect(entityKey('p', 'catalog', 'h', { __typename: 'Workspace', sku: 'x' }, policies, 'u1')).toBeUndefined();
    expect(entityKey('p', 'catalog', 'h', null, policies, 'u1')).toBeUndefined();
  });

  it('keeps answers computed from other representation fields (@requires) apart', () => {
    const plain = entityKey('p', 'catalog', 'h', { __typename: 'Workspace', id: 'w1' }, policies, undefined)!;
    const one = entityKey('p', 'catalog', 'h', { __typename: 'Workspace', id: 'w1', capacity: 1 }, policies, undefined)!;
    const two = entityKey('p', 'catalog', 'h', { __typename: 'Workspace', id: 'w1', capacity: 2 }, policies, undefined)!;
    expect(new Set([plain.field, one.field, two.field]).size).toBe(3);
    expect(one.hashKey).toBe(plain.hashKey);
  });
});

describe('cache entries', () => {
  it('are fresh for their max age from when they were written, then expired', () => {
    const stored = entryOf({ name: 'Desk' }, 30, 1_000);
    expect(freshEntry(stored, 1_000 + 29_999)).toEqual({ expiresAt: 31_000, data: { name: 'Desk' } });
    expect(freshEntry(stored, 31_000)).toBeUndefined();
    expect(freshEntry(null)).toBeUndefined();
    expect(freshEntry('not json')).toBeUndefined();
  });
});

describe('erroredEntities', () => {
  it('names the entities errors are about, and refuses an answer with an error about none in particular', () => {
    expect(erroredEntities(undefined)).toEqual(new Set());
    expect(erroredEntities([{ message: 'x', path: ['_entities', 1, 'name'] }])).toEqual(new Set([1]));
    expect(erroredEntities([{ message: 'x' }])).toBeUndefined();
  });
});

describe('mergeEntities', () => {
  it('puts cached and fetched entities back in the original order, with errors at their original index', () => {
    const cached = new Map<number, unknown>([
      [0, { name: 'A' }],
      [2, { name: 'C' }],
    ]);
    const merged = mergeEntities(4, cached, [1, 3], {
      data: { _entities: [{ name: 'B' }, null] },
      errors: [{ message: 'gone', path: ['_entities', 1, 'name'] }, { message: 'whole' }],
    });
    expect(merged.data._entities).toEqual([{ name: 'A' }, { name: 'B' }, { name: 'C' }, null]);
    expect(merged.errors).toEqual([{ message: 'gone', path: ['_entities', 3, 'name'] }, { message: 'whole' }]);
  });

  it('answers from the cache alone when nothing is missing, and leaves missing entities null when the fetch failed', () => {
    expect(mergeEntities(1, new Map([[0, { name: 'A' }]]), [], undefined)).toEqual({ data: { _entities: [{ name: 'A' }] } });
    expect(mergeEntities(2, new Map([[0, { name: 'A' }]]), [1], { data: null, errors: [{ message: 'down' }] })).toEqual({
      data: { _entities: [{ name: 'A' }, null] },
      errors: [{ message: 'down' }],
    });
  });
});
