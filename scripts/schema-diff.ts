// `npm run schema:diff -- --base <git ref>`: breaking / dangerous / safe changes of the API
// schema and of each subgraph's schema since <ref>, usage-aware with the trusted-documents
// manifest; fails on a breaking change not acknowledged in schema/breaking-changes.yaml.
// `npm test` runs it against HEAD~1 (--if-base-exists: skipped without a parent commit).
import { findRepoRoot } from './lib/repo-root';
import { runSchemaDiff } from './lib/schema-diff';

runSchemaDiff(process.argv.slice(2), { root: findRepoRoot(), log: (line) => console.log(line), error: (line) => console.error(line) }).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`schema:diff: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
