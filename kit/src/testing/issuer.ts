import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenVerifier, ACCESS_TOKEN_ALG, type TokenVerifier } from '../auth/verify';
import { scopesFor, type Role } from '../auth/scopes';

export const TEST_ISSUER = 'atrium-identity';
export const TEST_AUDIENCE = 'atrium';

export interface TestIssuer {
  /** A real ES256 key set, verified by kit's own verifier (no mocked auth). */
  verifier: () => TokenVerifier;
  /** Signs an access token as identity would, for `roles` (scopes from the roles table). */
  token(claims?: { userId?: string; roles?: Role[]; expiresIn?: string }): Promise<string>;
  /**
   * Publishes the key set over HTTP on a free port, as identity's `/.well-known/jwks.json`
   * does, for a gateway under test (its JWKS_URL). `close()` in afterAll.
   */
  serveJwks(): Promise<{ url: string; close(): Promise<void> }>;
}

/** A token issuer for subgraph tests that run without identity. */
export async function createTestIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALG);
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: ACCESS_TOKEN_ALG, use: 'sig' };
  const keys = createLocalJWKSet({ keys: [jwk] });
  return {
    async serveJwks() {
      const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
      };
    },
    verifier: () => createTokenVerifier({ jwks: keys, issuer: TEST_ISSUER, audience: TEST_AUDIENCE }),
    token: ({ userId = randomUUID(), roles = ['MEMBER'] as Role[], expiresIn = '15m' } = {}) =>
      new SignJWT({ roles, scope: scopesFor(roles).join(' '), sid: randomUUID() })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid })
        .setSubject(userId)
        .setIssuer(TEST_ISSUER)
        .setAudience(TEST_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(privateKey),
  };
}
