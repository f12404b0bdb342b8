import { errorCodes, graphql } from '@atrium/kit/testing';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { login, register, startSupergraph, type RunningSupergraph } from '../support/supergraph';

let sg: RunningSupergraph;

beforeAll(async () => {
  sg = await startSupergraph();
});
afterAll(async () => {
  await sg?.close();
});

const ME = '{ me { id name email roles } }';
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('signing in through the gateway', () => {
  it('registers, logs in, reads me, refreshes (rotating the refresh token) and logs out', async () => {
    const registered = await register(sg.url, 'ada@example.com', 'Ada Lovelace');
    const session = await login(sg.url, 'ADA@example.com', 'correct-horse-battery');
    expect(session.userId).toBe(registered.userId);

    const me = await graphql(sg.url, ME, {}, { token: session.accessToken });
    expect(me.data!.me).toEqual({ id: registered.userId, name: 'Ada Lovelace', email: 'ada@example.com', roles: ['MEMBER'] });

    const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }`;
    const refreshed = await graphql(sg.url, REFRESH, { t: session.refreshToken });
    const next = refreshed.data!.refreshSession;
    expect(next.refreshToken).not.toBe(session.refreshToken);
    expect((await graphql(sg.url, ME, {}, { token: next.accessToken })).data!.me.id).toBe(registered.userId);

    const out = await graphql(sg.url, `mutation($t: String!) { logout(refreshToken: $t) }`, { t: next.refreshToken });
    expect(out.data!.logout).toBe(true);
    expect(errorCodes(await graphql(sg.url, REFRESH, { t: next.refreshToken }))).toEqual(['UNAUTHENTICATED']);
  });

  it('answers a wrong password with UNAUTHENTICATED and bad input with BAD_USER_INPUT naming the field', async () => {
    const wrong = await graphql(sg.url, `mutation { login(input: { email: "ada@example.com", password: "not-the-password" }) { accessToken } }`);
    expect(errorCodes(wrong)).toEqual(['UNAUTHENTICATED']);
    const bad = await graphql(sg.url, `mutation { register(input: { email: "not-an-email", password: "correct-horse-battery", name: "X" }) { accessToken } }`);
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email' });
    const short = await graphql(sg.url, `mutation { register(input: { email: "bob@example.com", password: "short", name: "Bob" }) { accessToken } }`);
    expect(short.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.password' });
  });
});

describe('the gateway refuses every token it cannot trust, with 401 UNAUTHENTICATED', () => {
  let valid: string;
  let userId: string;
  beforeAll(async () => {
    const s = await register(sg.url, 'grace@example.com', 'Grace');
    valid = s.accessToken;
    userId = s.userId;
  });

  const expectRefused = async (token: string, reason: RegExp) => {
    const before = sg.received.identity.length;
    const res = await graphql(sg.url, ME, {}, { token });
    expect(res.status).toBe(401);
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
    expect(res.errors![0].message).toMatch(reason);
    expect(res.data ?? null).toBeNull();
    expect(sg.received.identity.length).toBe(before); // refused before any subgraph was called
  };

  it('accepts the genuine token', async () => {
    expect((await graphql(sg.url, ME, {}, { token: valid })).data!.me.id).toBe(userId);
  });

  it('refuses a token whose claims were tampered with', async () => {
    const [header, payload, signature] = valid.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    await expectRefused([header, b64({ ...claims, roles: ['ADMIN'], scope: 'users:admin' }), signature].join('.'), /signature/);
  });

  it('refuses an expired token signed with the real key', async () => {
    const past = new Date(Date.now() - 60_000);
    const expired = await sg.identity.keys.sign({ sub: userId, roles: ['MEMBER'], scope: '' }, past, new Date(past.getTime() - 900_000));
    await expectRefused(expired, /expired/);
  });

  it('refuses alg "none"', async () => {
    const [, payload] = valid.split('.');
    await expectRefused(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`, /algorithm|malformed/);
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const jwks = (await (await fetch(`${sg.identity.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    const publicKey = new TextEncoder().encode(JSON.stringify(jwks.keys[0]));
    const [, payload] = valid.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: jwks.keys[0].kid }).sign(publicKey);
    await expectRefused(forged, /algorithm/);
  });

  it('refuses a token signed by an unknown key (unknown kid)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const kid = (await exportJWK(publicKey)).x!;
    const [, payload] = valid.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey);
    await expectRefused(forged, /unknown signing key/);
  });

  it('keeps accepting tokens of the previous key after rotation, and tokens of the new key', async () => {
    const admin = await login(sg.url, 'admin@atrium.test', 'admin-password-123');
    const rotated = await graphql(sg.url, 'mutation { rotateSigningKey }', {}, { token: admin.accessToken });
    expect(rotated.errors).toBeUndefined();
    expect((await graphql(sg.url, ME, {}, { token: valid })).data!.me.id).toBe(userId);
    const fresh = await login(sg.url, 'grace@example.com', 'correct-horse-battery');
    const kid = JSON.parse(Buffer.from(fresh.accessToken.split('.')[0], 'base64url').toString()).kid;
    expect(kid).toBe(rotated.data!.rotateSigningKey);
    expect((await graphql(sg.url, ME, {}, { token: fresh.accessToken })).data!.me.id).toBe(userId);
  });
});
