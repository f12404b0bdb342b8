import { createTokenVerifier } from '@atrium/kit';
import { createSubgraph, type Subgraph, type SubgraphOptions } from '@atrium/kit/subgraph';
import type { IdentityConfig } from './config';
import { identityContext } from './context';
import { entities } from './entities';
import { KeysService } from './keys/keys.service';
import { migrations } from './migrations';
import { buildSchema } from './schema';
import { ensureFirstAdmin } from './user/bootstrap-admin';

export interface IdentityServer extends Subgraph {
  /** The signing keys (tests reach in to sign unusual tokens). */
  keys: KeysService;
}

/**
 * Builds and starts the identity subgraph: users, sessions, tokens. It signs access tokens
 * with its own keys, publishes them at `/.well-known/jwks.json`, and verifies bearer
 * tokens against those keys directly rather than over HTTP to itself.
 */
export async function createServer(
  config: IdentityConfig,
  extra: Pick<SubgraphOptions, 'plugins' | 'observe' | 'log'> = {},
): Promise<IdentityServer> {
  const keys = new KeysService({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    accessTokenTtl: config.ACCESS_TOKEN_TTL,
    rotateAfter: config.SIGNING_KEY_ROTATE_AFTER,
  });
  const subgraph = await createSubgraph({
    name: 'identity',
    config,
    schema: await buildSchema(),
    entities,
    migrations,
    ...extra,
    onStart: async (orm, log) => {
      await keys.start(orm);
      await ensureFirstAdmin(orm.em.fork(), config, log);
    },
    // A key retired on demand (compromised) must stop verifying its tokens at once, even
    // those the verifier remembers: it asks the key set on every use.
    verifier: () =>
      createTokenVerifier({ jwks: keys.resolveKey, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, keyStillValid: (kid) => keys.isPublished(kid) }),
    routes: (app) => {
      app.get('/.well-known/jwks.json', async (_req, res) => {
        try {
          res.setHeader('Cache-Control', 'public, max-age=300');
          res.json(await keys.jwks());
        } catch {
          res.status(503).setHeader('Cache-Control', 'no-store').json({ error: 'signing keys unavailable' });
        }
      });
    },
    context: (base) => identityContext(base, keys, config),
  });
  return Object.assign(subgraph, { keys });
}
