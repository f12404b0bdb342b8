// `npm run documents -- [--out FILE] [--supergraph FILE] <file, folder or glob>...`
// Writes the trusted-documents manifest (Apollo's persisted-query format) from the client
// operations in .graphql files, each validated against the API schema of the supergraph.
// Defaults: documents/**/*.graphql → documents/manifest.json, schema/supergraph.graphql.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { apiSchemaFromSupergraph, buildManifest, expandDocumentGlobs } from './lib/documents';
import { findRepoRoot } from './lib/repo-root';

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string', default: 'documents/manifest.json' }, supergraph: { type: 'string', default: 'schema/supergraph.graphql' } },
  });
  const root = findRepoRoot();
  // npm runs scripts from the repository root; INIT_CWD is where the user typed the command.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const patterns = positionals.length ? positionals : [path.relative(cwd, path.join(root, 'documents/**/*.graphql')) || '.'];
  const files = expandDocumentGlobs(patterns, cwd);
  const schema = apiSchemaFromSupergraph(readFileSync(path.resolve(cwd, values.supergraph!), 'utf8'));
  const manifest = buildManifest(
    files.map((file) => ({ file, source: readFileSync(path.resolve(cwd, file), 'utf8') })),
    schema,
  );
  const out = path.resolve(cwd, values.out!);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(manifest, null, 2) + '\n');
  console.log(`wrote ${path.relative(cwd, out)}: ${manifest.operations.length} operation(s) from ${files.length} file(s)`);
  for (const op of manifest.operations) console.log(`  ${op.type.padEnd(12)} ${op.name.padEnd(32)} ${op.id}`);
  return 0;
}

try {
  process.exit(main(process.argv.slice(2)));
} catch (err) {
  console.error(`documents: ${(err as Error).message}`);
  process.exit(1);
}
