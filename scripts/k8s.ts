// `npm run k8s`: writes deploy/kubernetes/atrium.yaml from supergraph.yaml (see scripts/lib/kubernetes.ts).
import { loadSupergraphConfig } from '@atrium/kit';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderManifests } from './lib/kubernetes';

const root = path.resolve(__dirname, '..', '..');
const file = path.join(root, 'deploy', 'kubernetes', 'atrium.yaml');
writeFileSync(file, renderManifests(loadSupergraphConfig(path.join(root, 'supergraph.yaml'))));
console.log(`wrote ${path.relative(root, file)}`);
