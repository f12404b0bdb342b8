/**
 * One floor as a process of its own (`npm run bench` starts catalog-floor and
 * identity-floor beside Atrium's subgraphs for target F): `node dist/bench/floor/main.js`
 * with FLOOR, DATABASE_URL, JWKS_URL, PORT, HOST (bench/floor/env.ts).
 */
import { createRemoteJWKSet } from 'jose';
import { Pool } from 'pg';
import { createFloorVerifier } from './auth';
import { catalogFloorSchema } from './catalog-floor';
import { loadFloorEnv } from './env';
import { identityFloorSchema } from './identity-floor';
import { createFloorServer } from './server';

async function main(): Promise<void> {
  const env = loadFloorEnv(process.env);
  const pool = new Pool({ connectionString: env.databaseUrl, max: env.poolMax });
  const verify = env.jwksUrl ? createFloorVerifier({ keys: createRemoteJWKSet(new URL(env.jwksUrl)), issuer: env.issuer, audience: env.audience }) : undefined;
  const schema = env.floor === 'catalog' ? catalogFloorSchema() : identityFloorSchema();
  const floor = createFloorServer({ schema, pool, verify });
  const url = await floor.listen(env.port, env.host);
  process.stdout.write(`${env.floor}-floor listening on ${url}\n`);
  const stop = () => void floor.close().then(() => pool.end()).finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`floor failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
