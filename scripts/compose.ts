// `npm run compose`: writes schema/<subgraph>.graphql and schema/supergraph.graphql from the code.
// `npm run schema:check` (--check): fails when composition fails or a committed file is stale.
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { composeSupergraph } from './lib/compose';
import { loadSupergraphConfig } from '@atrium/kit';

const root = path.resolve(__dirname, '..', '..');

async function main(check: boolean): Promise<number> {
  const supergraphFile = path.join(root, 'schema', 'supergraph.graphql');
  const result = await composeSupergraph(loadSupergraphConfig(path.join(root, 'supergraph.yaml')), supergraphFile);
  for (const hint of result.hints) console.log(`hint  ${hint}`);
  if (!result.ok) {
    console.error(`\nComposition failed with ${result.errors.length} error(s):`);
    for (const error of result.errors) console.error(`  ✗ ${error}`);
    return 1;
  }
  const rel = (file: string) => path.relative(root, file);
  if (check) {
    const stale = result.files.filter(({ file, content }) => {
      try {
        return readFileSync(file, 'utf8') !== content;
      } catch {
        return true;
      }
    });
    if (stale.length) {
      console.error(`Schema files are stale (run \`npm run compose\` and commit them):\n${stale.map((f) => `  ✗ ${rel(f.file)}`).join('\n')}`);
      return 1;
    }
    console.log(`schema:check ok — ${result.files.length} schema files match the code and compose cleanly`);
    return 0;
  }
  for (const { file, content } of result.files) {
    writeFileSync(file, content);
    console.log(`wrote ${rel(file)}`);
  }
  return 0;
}

main(process.argv.includes('--check')).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
