// `npm run prometheus`: writes deploy/prometheus/prometheus.yml (from supergraph.yaml) and
// deploy/grafana/atrium.json (from scripts/lib/prometheus-dashboard.ts).
// `npm run prometheus -- --local`: writes .atrium/prometheus/prometheus.yml instead, for a
// Prometheus next to `npm start` (every service on 127.0.0.1, its default port).
import { loadSupergraphConfig } from '@atrium/kit';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { composeTargets, localTargets, renderPrometheusConfig } from './lib/prometheus';
import { renderDashboard } from './lib/prometheus-dashboard';
import { findRepoRoot } from './lib/repo-root';

const root = findRepoRoot(__dirname);
const subgraphs = loadSupergraphConfig(path.join(root, 'supergraph.yaml'));
const write = (file: string, content: string) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  console.log(`wrote ${path.relative(root, file)}`);
};

if (process.argv.includes('--local')) {
  write(
    path.join(root, '.atrium', 'prometheus', 'prometheus.yml'),
    renderPrometheusConfig(subgraphs, {
      targets: localTargets(subgraphs),
      ruleFiles: [path.join(root, 'deploy', 'prometheus', 'alerts.yml')],
      comment: 'For `npm start`: every service on 127.0.0.1 on its default port.',
    }),
  );
} else {
  write(
    path.join(root, 'deploy', 'prometheus', 'prometheus.yml'),
    renderPrometheusConfig(subgraphs, {
      targets: composeTargets(subgraphs),
      comment: 'For docker-compose.yml: every service reached by its compose service name.',
    }),
  );
  write(path.join(root, 'deploy', 'grafana', 'atrium.json'), renderDashboard());
}
