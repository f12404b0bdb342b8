// `npm run k8s`: writes the Kustomize base of deploy/kubernetes (and secrets.example.yaml)
// from supergraph.yaml (see scripts/lib/kubernetes.ts). Files of the base that are no longer
// generated (a removed subgraph's) are deleted. scripts/kubernetes.test.ts fails when the
// committed files differ from what this writes.
import { loadSupergraphConfig } from '@atrium/kit';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BASE_DIR, renderKubernetes } from './lib/kubernetes';
import { findRepoRoot } from './lib/repo-root';

const root = findRepoRoot(__dirname);
const files = renderKubernetes(loadSupergraphConfig(path.join(root, 'supergraph.yaml')));
mkdirSync(path.join(root, BASE_DIR), { recursive: true });
const written = new Set(files.map((f) => f.file));
for (const name of readdirSync(path.join(root, BASE_DIR))) {
  const file = `${BASE_DIR}/${name}`;
  if (!written.has(file)) {
    rmSync(path.join(root, file));
    console.log(`removed ${file}`);
  }
}
for (const { file, content } of files) {
  writeFileSync(path.join(root, file), content);
  console.log(`wrote ${file}`);
}
