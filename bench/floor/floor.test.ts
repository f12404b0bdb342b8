import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { parse, validate } from 'graphql';
import { Pool } from 'pg';
import { QUERY_SPECS } from '../queries';
import { AuthenticationFailure, bearerToken, createFloorVerifier, requireCaller, requirePolicy, requireScopes, type FloorCaller } from './auth';
import { catalogFloorSchema } from './catalog-floor';
import { checkPageSize, decodeCursor, encodeCursor } from './cursor';
import { loadFloorEnv } from './env';
import { canReadPrivateFields, identityFloorSchema } from './identity-floor';
import { createFloorServer } from './server';

const ADA = '0b7c8a52-3f67-4a55-9a1e-0d6b8d1f2a01';
const BOB = '6f0c1a52-3f67-4a55-9a1e-0d6b8d1f2a02';

describe('the floors answer what the direct target asks', () => {
  it('validates query (a) against catalog-floor and query (c) against identity-floor', () => {
    expect(validate(catalogFloorSchema(), parse(QUERY_SPECS.single.direct.query))).toEqual([]);
    expect(validate(identityFloorSchema(), parse(QUERY_SPECS.auth.direct.query))).toEqual([]);
  });
  it('says which queries have a floor: (a) and (c), not (b)', () => {
    expect([QUERY_SPECS.single.hasFloor, QUERY_SPECS.nested.hasFloor, QUERY_SPECS.auth.hasFloor]).toEqual([true, false, true]);
  });
});

describe('floor cursors', () => {
  it("encode as Atrium's subgraphs do (MikroORM's Cursor: JSON array, base64url, a timestamp as ISO) and decode back", () => {
    const at = new Date('2026-12-04T10:00:00.123Z');
    const cursor = encodeCursor([at, ADA]);
    expect(Buffer.from(cursor, 'base64url').toString('utf8')).toBe(`["2026-12-04T10:00:00.123Z","${ADA}"]`);
    expect(decodeCursor(cursor, ['timestamp', 'uuid'])).toEqual(['2026-12-04T10:00:00.123Z', ADA]);
    expect(decodeCursor(encodeCursor(['Desk A1', ADA]), ['text', 'uuid'])).toEqual(['Desk A1', ADA]);
  });
  it("refuses a forged cursor or another list's as BAD_USER_INPUT", () => {
    const bad = (after: string, columns: Parameters<typeof decodeCursor>[1]) => {
      try {
        decodeCursor(after, columns);
        return 'accepted';
      } catch (err) {
        return (err as { extensions?: { code?: string } }).extensions?.code;
      }
    };
    expect(bad('bm90IGEgY3Vyc29y', ['text', 'uuid'])).toBe('BAD_USER_INPUT');
    expect(bad(encodeCursor([new Date(), ADA]), ['text', 'uuid'])).toBe('BAD_USER_INPUT');
    expect(bad(encodeCursor(['Desk', ADA]), ['timestamp', 'uuid'])).toBe('BAD_USER_INPUT');
    expect(bad(encodeCursor(['Desk', 'not-a-uuid']), ['text', 'uuid'])).toBe('BAD_USER_INPUT');
    expect(bad(encodeCursor(['Desk']), ['text', 'uuid'])).toBe('BAD_USER_INPUT');
  });
  it('takes page sizes of 1 to 100 only', () => {
    expect(checkPageSize(1)).toBe(1);
    expect(checkPageSize(100)).toBe(100);
    expect(() => checkPageSize(0)).toThrow(/between 1 and 100/);
    expect(() => checkPageSize(101)).toThrow(/between 1 and 100/);
  });
});

describe('loadFloorEnv', () => {
  it("reads the floor, its database and identity's keys, with Atrium's defaults for the rest", () => {
    expect(loadFloorEnv({ FLOOR: 'identity', DATABASE_URL: 'postgres://x/db', JWKS_URL: 'http://127.0.0.1:1/.well-known/jwks.json', PORT: '4100' })).toEqual({
      floor: 'identity',
      databaseUrl: 'postgres://x/db',
      jwksUrl: 'http://127.0.0.1:1/.well-known/jwks.json',
      issuer: 'atrium-identity',
      audience: 'atrium',
      poolMax: 10,
      port: 4100,
      host: '127.0.0.1',
    });
  });
  it('refuses a missing or unknown floor, a missing database and a bad number', () => {
    expect(() => loadFloorEnv({ DATABASE_URL: 'postgres://x/db' })).toThrow(/FLOOR must be one of catalog, identity/);
    expect(() => loadFloorEnv({ FLOOR: 'booking', DATABASE_URL: 'postgres://x/db' })).toThrow(/got "booking"/);
    expect(() => loadFloorEnv({ FLOOR: 'catalog' })).toThrow(/DATABASE_URL/);
    expect(() => loadFloorEnv({ FLOOR: 'catalog', DATABASE_URL: 'postgres://x/db', POOL_MAX: '0' })).toThrow(/POOL_MAX/);
  });
});

describe('the floor verifies tokens as Atrium does', () => {
  let keys: ReturnType<typeof createLocalJWKSet>;
  let sign: (claims: Record<string, unknown>, options?: { alg?: string; expiresIn?: string | number; issuer?: string; key?: KeyLike | Uint8Array }) => Promise<string>;
  let otherKey: KeyLike;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    otherKey = (await generateKeyPair('ES256')).privateKey;
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    keys = createLocalJWKSet({ keys: [jwk] });
    sign = (claims, { alg = 'ES256', expiresIn = '15m', issuer = 'atrium-identity', key = privateKey } = {}) =>
      new SignJWT(claims).setProtectedHeader({ alg, kid: 'k1' }).setSubject(ADA).setIssuer(issuer).setAudience('atrium').setIssuedAt().setExpirationTime(expiresIn).sign(key);
  });

  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise;
      return 'accepted';
    } catch (err) {
      return err instanceof AuthenticationFailure ? err.message : `other: ${String(err)}`;
    }
  };

  it('reads the caller, its roles and scopes from a valid token', async () => {
    const verify = createFloorVerifier({ keys, issuer: 'atrium-identity', audience: 'atrium' });
    const caller = await verify(await sign({ roles: ['ADMIN', 'ROOT'], scope: 'users:read users:admin' }));
    expect(caller).toMatchObject({ userId: ADA, roles: ['ADMIN'], scopes: ['users:read', 'users:admin'] });
  });

  it('refuses another algorithm, a bad signature, another issuer and an expired token', async () => {
    const verify = createFloorVerifier({ keys, issuer: 'atrium-identity', audience: 'atrium' });
    const hs256 = await sign({}, { alg: 'HS256', key: new TextEncoder().encode('a shared secret of at least 32 bytes!!') });
    expect(await failure(verify(hs256))).toBe('Invalid access token: signing algorithm not allowed');
    expect(await failure(verify(await sign({}, { key: otherKey })))).toBe('Invalid access token: bad signature');
    expect(await failure(verify(await sign({}, { issuer: 'someone-else' })))).toBe('Invalid access token: claim "iss" invalid');
    expect(await failure(verify(await sign({}, { expiresIn: Math.floor(Date.now() / 1000) - 60 })))).toBe('Invalid access token: token expired');
    expect(await failure(verify('not.a.token'))).toBe('Invalid access token: malformed token');
  });

  it('remembers a verified token, and still refuses it once it has expired', async () => {
    let now = Date.now();
    const verify = createFloorVerifier({ keys, issuer: 'atrium-identity', audience: 'atrium', now: () => now });
    const token = await sign({ scope: 'users:read' }, { expiresIn: '1m' });
    const first = await verify(token);
    expect(await verify(token)).toBe(first);
    now += 2 * 60_000;
    expect(await failure(verify(token))).toBe('Invalid access token: token expired');
  });

  it('takes only "Bearer <token>" headers', () => {
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(() => bearerToken('Basic dXNlcjpwYXNz')).toThrow(AuthenticationFailure);
  });
});

describe("the floor's rules", () => {
  const admin: FloorCaller = { userId: ADA, roles: ['ADMIN'], scopes: ['users:read'], expiresAt: Date.now() + 60_000 };
  const member: FloorCaller = { userId: BOB, roles: ['MEMBER'], scopes: [], expiresAt: Date.now() + 60_000 };
  const code = (fn: () => unknown) => {
    try {
      fn();
      return 'allowed';
    } catch (err) {
      return (err as { extensions?: { code?: string } }).extensions?.code;
    }
  };

  it('@authenticated: a signed-in caller', () => {
    expect(code(() => requireCaller(null, 'User.email'))).toBe('UNAUTHENTICATED');
    expect(code(() => requireCaller(member, 'User.email'))).toBe('allowed');
  });
  it('@requiresScopes(users:read) on users', () => {
    expect(code(() => requireScopes(null, [['users:read']], 'Query.users'))).toBe('UNAUTHENTICATED');
    expect(code(() => requireScopes(member, [['users:read']], 'Query.users'))).toBe('FORBIDDEN');
    expect(code(() => requireScopes(admin, [['users:read']], 'Query.users'))).toBe('allowed');
  });
  it("@policy(self_or_admin) on user(id), with Atrium's policy function", () => {
    expect(code(() => requirePolicy(null, [['self_or_admin']], 'Query.user', { id: BOB }))).toBe('UNAUTHENTICATED');
    expect(code(() => requirePolicy(member, [['self_or_admin']], 'Query.user', { id: BOB }))).toBe('allowed');
    expect(code(() => requirePolicy(member, [['self_or_admin']], 'Query.user', { id: ADA }))).toBe('FORBIDDEN');
    expect(code(() => requirePolicy(admin, [['self_or_admin']], 'Query.user', { id: BOB }))).toBe('allowed');
    expect(code(() => requirePolicy(admin, [['no_such_policy']], 'Query.user', { id: ADA }))).toBe('FORBIDDEN');
  });
  it("email's row rule: the user themself or users:read", () => {
    expect(canReadPrivateFields(member, { id: BOB })).toBe(true);
    expect(canReadPrivateFields(member, { id: ADA })).toBe(false);
    expect(canReadPrivateFields(admin, { id: BOB })).toBe(true);
  });
});

describe("the floor's HTTP shell", () => {
  // Never connected: these requests are answered before any SQL.
  const pool = new Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres', max: 1 });
  afterAll(() => pool.end());

  it('answers a bad token with 401 UNAUTHENTICATED for the whole request', async () => {
    const verify = createFloorVerifier({ keys: createLocalJWKSet({ keys: [] }), issuer: 'atrium-identity', audience: 'atrium' });
    const floor = createFloorServer({ schema: identityFloorSchema(), pool, verify });
    const { status, text } = await floor.answer(JSON.stringify({ query: QUERY_SPECS.auth.direct.query, variables: { id: ADA } }), 'Bearer not.a.token');
    expect(status).toBe(401);
    expect(JSON.parse(text)).toEqual({ errors: [{ message: 'Invalid access token: malformed token', extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('refuses a document that does not validate, and a body that is not JSON', async () => {
    const floor = createFloorServer({ schema: catalogFloorSchema(), pool });
    const invalid = await floor.answer(JSON.stringify({ query: '{ workspaces { edges { node { price } } } }' }), undefined);
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.text).errors[0]).toMatchObject({ message: 'Cannot query field "price" on type "Workspace".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect((await floor.answer('{', undefined)).status).toBe(400);
  });

  it('refuses any token when it has no verifier', async () => {
    const floor = createFloorServer({ schema: catalogFloorSchema(), pool });
    expect((await floor.answer(JSON.stringify({ query: '{ __typename }' }), 'Bearer a.b.c')).status).toBe(401);
    expect(await floor.answer(JSON.stringify({ query: '{ __typename }' }), undefined)).toEqual({ status: 200, text: '{"data":{"__typename":"Query"}}' });
  });
});
