import { createLocalJWKSet, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type KeyLike } from 'jose';
import { createTestDatabase, graphql } from '@atrium/kit/testing';
import { createServer } from '../server';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  captureLogger,
  claims,
  header,
  startIdentity,
  testConfig,
  type Harness,
  type Session,
} from '../testing/harness';

const ME = `{ me { id } }`;
const ROTATE = `mutation { rotateSigningKey }`;
const RETIRE = `mutation($kid: String!) { retireSigningKey(kid: $kid) }`;

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function jwks(url: string): Promise<{ status: number; cacheControl: string | null; keys: JWK[] }> {
  const res = await fetch(`${url}/.well-known/jwks.json`);
  return { status: res.status, cacheControl: res.headers.get('cache-control'), keys: ((await res.json()) as { keys: JWK[] }).keys };
}

describe('identity: signing keys and access tokens', () => {
  let h: Harness;
  let admin: Session;
  let member: Session;

  beforeAll(async () => {
    h = await startIdentity('identity_keys');
    admin = await h.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    member = await h.register('member@example.com');
  });
  afterAll(async () => {
    await h?.close();
  });

  /** `me` with `token`: the HTTP status and the error code, if any. */
  async function meWith(token: string) {
    const res = await h.gql(ME, {}, token);
    return { status: res.status, code: res.errors?.[0]?.extensions?.code, message: res.errors?.[0]?.message, id: res.data?.me?.id };
  }

  it('publishes the public keys as a cacheable JWKS that verifies the tokens it issues', async () => {
    const set = await jwks(h.server.url);
    expect(set.status).toBe(200);
    expect(set.cacheControl).toBe('public, max-age=300');
    expect(set.keys).toHaveLength(1);
    expect(set.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: header(member.accessToken).kid });
    expect(set.keys[0].d).toBeUndefined();

    // What the gateway does: verify against the JWKS.
    const { payload, protectedHeader } = await jwtVerify(member.accessToken, createLocalJWKSet({ keys: set.keys }), {
      issuer: 'atrium-identity',
      audience: 'atrium',
      algorithms: ['ES256'],
    });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: member.user.id, roles: ['MEMBER'], scope: '' });
    expect(typeof payload.sid).toBe('string');
    expect(typeof payload.jti).toBe('string');
  });

  it('accepts its own token', async () => {
    expect(await meWith(member.accessToken)).toMatchObject({ status: 200, id: member.user.id });
  });

  it('refuses a token whose signature or claims were tampered with (401)', async () => {
    const [h64, p64, sig] = member.accessToken.split('.');
    const badSig = `${h64}.${p64}.${sig.slice(0, -4)}${sig.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    const elevated = `${h64}.${b64({ ...claims(member.accessToken), roles: ['ADMIN'], scope: 'users:read users:admin' })}.${sig}`;
    for (const token of [badSig, elevated]) {
      expect(await meWith(token)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', message: expect.stringMatching(/bad signature/) });
    }
  });

  it('refuses an expired token signed with the real key (401)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await h.server.keys.sign(
      { sub: member.user.id, roles: ['MEMBER'], scope: '' },
      new Date((now - 60) * 1000),
      new Date((now - 960) * 1000),
    );
    expect(await meWith(expired)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', message: expect.stringMatching(/expired/) });
  });

  it('refuses alg none and HS256 keyed with the public key (401)', async () => {
    const body = b64({ ...claims(member.accessToken) });
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${body}.`;
    const publicJwk = (await jwks(h.server.url)).keys[0];
    const hs256 = await new SignJWT(claims(member.accessToken))
      .setProtectedHeader({ alg: 'HS256', kid: publicJwk.kid })
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
    for (const token of [none, hs256]) {
      expect(await meWith(token)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    }
    expect((await meWith(hs256)).message).toMatch(/algorithm not allowed/);
  });

  it('refuses a token signed by a key it does not know, or for another issuer or audience (401)', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const sign = (kid: string, key: KeyLike | Uint8Array = privateKey, iss = 'atrium-identity', aud = 'atrium') =>
      new SignJWT({ roles: ['ADMIN'], scope: 'users:read' })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setSubject(member.user.id)
        .setIssuer(iss)
        .setAudience(aud)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key);
    const foreignKid = await sign('not-a-known-kid');
    expect(await meWith(foreignKid)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', message: expect.stringMatching(/unknown signing key/) });
    // A known kid on a token signed with another key: the signature fails.
    const borrowedKid = await sign(header(member.accessToken).kid);
    expect(await meWith(borrowedKid)).toMatchObject({ status: 401, message: expect.stringMatching(/bad signature/) });

    // The real active key, but another issuer or audience.
    const [row] = await h.server.orm.em.getConnection().execute(`select kid, private_jwk from signing_key where active`);
    const realKey = await importJWK(row.private_jwk, 'ES256');
    const foreignIssuer = await sign(row.kid, realKey, 'someone-else');
    const foreignAudience = await sign(row.kid, realKey, 'atrium-identity', 'another-audience');
    const control = await sign(row.kid, realKey);
    expect(await meWith(foreignIssuer)).toMatchObject({ status: 401, message: expect.stringMatching(/"iss"/) });
    expect(await meWith(foreignAudience)).toMatchObject({ status: 401, message: expect.stringMatching(/"aud"/) });
    expect(await meWith(control)).toMatchObject({ status: 200, id: member.user.id });
  });

  it('rotates keys: old tokens keep verifying, the JWKS lists both, new tokens use the new kid; only admins may rotate', async () => {
    const oldKid = header(member.accessToken).kid;
    const denied = await h.gql(ROTATE, {}, member.accessToken);
    expect(denied.errors![0].extensions!.code).toBe('FORBIDDEN');

    const rotated = await h.gql(ROTATE, {}, admin.accessToken);
    expect(rotated.errors).toBeUndefined();
    const newKid = rotated.data!.rotateSigningKey as string;
    expect(newKid).not.toBe(oldKid);

    expect(await meWith(member.accessToken)).toMatchObject({ status: 200, id: member.user.id });
    expect((await jwks(h.server.url)).keys.map((k) => k.kid).sort()).toEqual([oldKid, newKid].sort());
    const fresh = await h.login('member@example.com', 'a long enough password');
    expect(header(fresh.accessToken).kid).toBe(newKid);
    expect(await meWith(fresh.accessToken)).toMatchObject({ status: 200 });
  });

  it('retires a rotated-out key on demand (its tokens stop verifying) but never the active one', async () => {
    const active = await h.server.keys.activeKid();
    const activeRefused = await h.gql(RETIRE, { kid: active }, admin.accessToken);
    expect(activeRefused.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'kid' });
    expect((await h.gql(RETIRE, { kid: 'nope' }, admin.accessToken)).errors![0].extensions!.code).toBe('NOT_FOUND');

    const oldKid = header(member.accessToken).kid;
    expect(oldKid).not.toBe(active);
    expect((await h.gql(RETIRE, { kid: oldKid }, admin.accessToken)).data).toEqual({ retireSigningKey: true });
    expect(await meWith(member.accessToken)).toMatchObject({ status: 401, message: expect.stringMatching(/unknown signing key/) });
    expect((await jwks(h.server.url)).keys.map((k) => k.kid)).toEqual([active]);
  });

  it('retires a rotated-out key by itself once every token it signed has expired', async () => {
    const before = await h.server.keys.activeKid();
    await h.server.keys.rotate();
    expect((await jwks(h.server.url)).keys.map((k) => k.kid)).toContain(before);
    // Pretend the rotation happened longer ago than ACCESS_TOKEN_TTL + leeway.
    await h.server.orm.em
      .getConnection()
      .execute(`update signing_key set deactivated_at = now() - interval '20 minutes' where kid = ?`, [before]);
    await h.server.keys.refresh();
    expect((await jwks(h.server.url)).keys.map((k) => k.kid)).not.toContain(before);
    const [row] = await h.server.orm.em.getConnection().execute(`select retired_at from signing_key where kid = ?`, [before]);
    expect(row.retired_at).not.toBeNull();
  });
});

describe('identity: start-up', () => {
  it('creates the first admin once, even when two replicas start together on a fresh database, and never logs the password', async () => {
    const db = await createTestDatabase('identity_boot');
    const capture = [captureLogger(), captureLogger()];
    const servers = await Promise.all(capture.map(({ log }) => createServer(testConfig(db.url), { log })));
    try {
      const rows = await servers[0].orm.em
        .getConnection()
        .execute(`select roles, name from "user" where email = ?`, [ADMIN_EMAIL.toUpperCase()]);
      expect(rows).toEqual([{ roles: ['ADMIN'], name: 'Administrator' }]);
      const keys = await servers[0].orm.em.getConnection().execute(`select kid from signing_key where active`);
      expect(keys).toHaveLength(1);
      // Both replicas sign with the one active key.
      expect(await servers[0].keys.activeKid()).toBe(await servers[1].keys.activeKid());

      const logged = capture.flatMap((c) => c.lines).join('\n');
      expect(logged).toMatch(/created the first admin/);
      expect(logged.match(/created the first admin/g)).toHaveLength(1);
      expect(logged).not.toContain(ADMIN_PASSWORD);

      // A later start changes nothing.
      const again = await createServer(testConfig(db.url));
      try {
        const count = await again.orm.em.getConnection().execute(`select count(*)::int as n from "user"`);
        expect(count).toEqual([{ n: 1 }]);
        const login = await graphql(`${again.url}/graphql`, `mutation { login(input: { email: "${ADMIN_EMAIL}", password: "${ADMIN_PASSWORD}" }) { user { roles } } }`);
        expect(login.data).toEqual({ login: { user: { roles: ['ADMIN'] } } });
      } finally {
        await again.close();
      }
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      await db.drop();
    }
  });

  it('rotates the signing key by itself once it is older than SIGNING_KEY_ROTATE_AFTER', async () => {
    const h = await startIdentity('identity_autorotate', { SIGNING_KEY_ROTATE_AFTER: '1' });
    try {
      const first = await h.login(ADMIN_EMAIL, ADMIN_PASSWORD);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const second = await h.login(ADMIN_EMAIL, ADMIN_PASSWORD);
      expect(header(second.accessToken).kid).not.toBe(header(first.accessToken).kid);
      // Both stay published (the first may itself be a rotation if start-up took over a second).
      expect((await jwks(h.server.url)).keys.map((k) => k.kid)).toEqual(
        expect.arrayContaining([header(first.accessToken).kid, header(second.accessToken).kid]),
      );
      expect((await h.gql(ME, {}, first.accessToken)).data).toEqual({ me: { id: first.user.id } });
    } finally {
      await h.close();
    }
  });
});
