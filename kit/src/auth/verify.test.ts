import { exportJWK, generateKeyPair, SignJWT, type JWTVerifyGetKey } from 'jose';
import { createTokenVerifier, ACCESS_TOKEN_ALG } from './verify';

const ISSUER = 'atrium-identity';
const AUDIENCE = 'atrium';

async function keys() {
  const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALG);
  const jwk = await exportJWK(publicKey);
  const lookups = { count: 0 };
  // Counts signature verifications: jose asks for the key once per verification.
  const getKey: JWTVerifyGetKey = async () => {
    lookups.count++;
    return publicKey;
  };
  const sign = (expiresAt: number, sub = 'u1') =>
    new SignJWT({ roles: ['MEMBER'], scope: 'bookings:read' })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: 'k1' })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(privateKey);
  return { jwk, getKey, lookups, sign };
}

describe('token verification cache', () => {
  it('verifies a token once, then answers the same caller from memory', async () => {
    const k = await keys();
    const verify = createTokenVerifier({ jwks: k.getKey, issuer: ISSUER, audience: AUDIENCE });
    const token = await k.sign(Date.now() + 60_000);
    const first = await verify(token);
    const second = await verify(token);
    expect(second).toBe(first);
    expect(first).toMatchObject({ userId: 'u1', roles: ['MEMBER'], scopes: ['bookings:read'] });
    expect(k.lookups.count).toBe(1);
    expect(Object.isFrozen(first) && Object.isFrozen(first.scopes)).toBe(true);
  });

  it('still refuses a remembered token once it has expired', async () => {
    const k = await keys();
    const verify = createTokenVerifier({ jwks: k.getKey, issuer: ISSUER, audience: AUDIENCE });
    // `exp` counts whole seconds: a whole second 2 to 3 s ahead, so that the first verification
    // (on a busy machine too) meets a valid token; then waited out, however long that takes.
    const expiresAt = (Math.floor(Date.now() / 1000) + 3) * 1000;
    const token = await k.sign(expiresAt);
    await verify(token);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 100));
    await expect(verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: 'Invalid access token: token expired' });
  });

  it('never serves a different token from memory (one changed character is verified, and fails)', async () => {
    const k = await keys();
    const verify = createTokenVerifier({ jwks: k.getKey, issuer: ISSUER, audience: AUDIENCE });
    const token = await k.sign(Date.now() + 60_000);
    await verify(token);
    const tampered = `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1)}`;
    await expect(verify(tampered)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(k.lookups.count).toBe(2);
  });

  it('forgets the oldest token when full, and verifies every time with cacheSize 0', async () => {
    const k = await keys();
    const small = createTokenVerifier({ jwks: k.getKey, issuer: ISSUER, audience: AUDIENCE, cacheSize: 1 });
    const [a, b] = [await k.sign(Date.now() + 60_000, 'a'), await k.sign(Date.now() + 60_000, 'b')];
    await small(a);
    await small(b);
    await small(a); // evicted by b: verified again
    expect(k.lookups.count).toBe(3);
    const none = createTokenVerifier({ jwks: k.getKey, issuer: ISSUER, audience: AUDIENCE, cacheSize: 0 });
    await none(a);
    await none(a);
    expect(k.lookups.count).toBe(5);
  });
});

describe('token verification cache, with keys that can be withdrawn', () => {
  it('stops accepting a remembered token as soon as its key is no longer valid', async () => {
    const k = await keys();
    const valid = new Set(['k1']);
    const verify = createTokenVerifier({ jwks: k.getKey, issuer: ISSUER, audience: AUDIENCE, keyStillValid: (kid) => valid.has(kid) });
    const token = await k.sign(Date.now() + 60_000);
    await verify(token);
    await verify(token);
    expect(k.lookups.count).toBe(1);
    valid.delete('k1');
    // Verified again; this resolver still has the key, so it passes — what matters is that it was asked.
    await verify(token);
    expect(k.lookups.count).toBe(2);
  });
});
