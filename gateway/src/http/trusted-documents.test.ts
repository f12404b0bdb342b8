import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { TrustedDocuments, type TrustedDocumentsMode } from './trusted-documents';
import { documentId } from './trusted-documents-manifest';

const TRUSTED = 'query Trusted { a }';
const OTHER = 'query Other { b }';
const documents = (mode: TrustedDocumentsMode) => TrustedDocuments.of(mode, [{ id: documentId(TRUSTED), body: TRUSTED }]);
const idOnly = (query: string) => ({ query: '', extensions: { persistedQuery: { version: 1, sha256Hash: documentId(query) } } });
const code = (error: { extensions: Record<string, unknown> } | undefined) => error?.extensions.code;

describe('TrustedDocuments.admit (subscription transports)', () => {
  it('fills in the body of a manifest id sent alone, unless off', () => {
    for (const mode of ['allow', 'enforce'] as const) {
      const payload = idOnly(TRUSTED);
      expect(documents(mode).admit(payload)).toBeUndefined();
      expect(payload.query).toBe(TRUSTED);
    }
    const off = idOnly(TRUSTED);
    expect(documents('off').admit(off)).toBeUndefined();
    expect(off.query).toBe('');
  });

  it('answers an unknown id with PERSISTED_QUERY_NOT_FOUND, and refuses an untrusted body only under enforce', () => {
    expect(code(documents('allow').admit(idOnly(OTHER)))).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(code(documents('enforce').admit(idOnly(OTHER)))).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(code(documents('enforce').admit({ query: OTHER }))).toBe('OPERATION_NOT_TRUSTED');
    expect(documents('enforce').admit({ query: TRUSTED })).toBeUndefined();
    expect(documents('allow').admit({ query: OTHER })).toBeUndefined();
    expect(documents('off').admit({ query: OTHER })).toBeUndefined();
  });
});

describe('TrustedDocuments.persistedQueries (the APQ cache Apollo Server uses)', () => {
  // Apollo Server prefixes the keys it hands the cache.
  const key = (query: string) => `apq:${documentId(query)}`;
  const cacheOf = (mode: TrustedDocumentsMode, store: KeyValueCache<string>) => {
    const options = documents(mode).persistedQueries({ kind: 'redis', cache: store }, 60);
    if (!options) throw new Error('expected persisted queries on');
    return options.cache!;
  };

  it('under allow, serves manifest ids first, then the APQ store, where only other queries are registered', async () => {
    const store = new InMemoryLRUCache<string>();
    const cache = cacheOf('allow', store);
    expect(await cache.get(key(TRUSTED))).toBe(TRUSTED);
    await cache.set(key(TRUSTED), TRUSTED);
    expect(await store.get(key(TRUSTED))).toBeUndefined();
    await cache.set(key(OTHER), OTHER);
    expect(await cache.get(key(OTHER))).toBe(OTHER);
  });

  it('under enforce, serves the manifest alone and registers nothing', async () => {
    const store = new InMemoryLRUCache<string>();
    await store.set(key(OTHER), OTHER);
    const cache = cacheOf('enforce', store);
    expect(await cache.get(key(TRUSTED))).toBe(TRUSTED);
    expect(await cache.get(key(OTHER))).toBeUndefined();
    await cache.set(key('query New { c }'), 'query New { c }');
    expect(await store.get(key('query New { c }'))).toBeUndefined();
  });

  it('when off, is APQ as configured: the store, or nothing at all with APQ off', () => {
    const store = new InMemoryLRUCache<string>();
    expect(documents('off').persistedQueries({ kind: 'redis', cache: store }, 60)).toEqual({ cache: store, ttl: 60 });
    expect(documents('off').persistedQueries({ kind: 'off' }, 60)).toBe(false);
    expect(documents('allow').persistedQueries({ kind: 'off' }, 60)).toEqual({ cache: expect.anything(), ttl: 60 });
  });
});
