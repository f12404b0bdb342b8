/**
 * One light subgraph as a process of its own (`npm run bench -- --light` starts seven):
 * `node dist/bench/light/main.js` with
 *   LIGHT_SUBGRAPH   the subgraph's name in supergraph.yaml (identity, catalog…)
 *   SCHEMA_FILE      its SDL (schema/<name>.graphql)
 *   PORT, HOST       where to listen (127.0.0.1 by default)
 */
import { readFileSync } from 'node:fs';
import { loadTargetEnv } from '../args';
import { createLightSubgraph } from './light-subgraph';

async function main(): Promise<void> {
  const { port = 0, host, lightSubgraph: name, schemaFile } = loadTargetEnv();
  if (!name || !schemaFile) throw new Error('LIGHT_SUBGRAPH and SCHEMA_FILE are required');
  const subgraph = createLightSubgraph({ name, sdl: readFileSync(schemaFile, 'utf8') });
  const url = await subgraph.listen(port, host);
  process.stdout.write(`light ${name} listening on ${url}\n`);
  const stop = () => void subgraph.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`light subgraph failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
