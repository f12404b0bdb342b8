import { loadSupergraphConfig } from '@atrium/kit';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { renderManifests } from './lib/kubernetes';

const root = path.join(__dirname, '..');
const subgraphs = loadSupergraphConfig(path.join(root, 'supergraph.yaml'));
const committed = readFileSync(path.join(root, 'deploy', 'kubernetes', 'atrium.yaml'), 'utf8');
const docs = parseAllDocuments(committed).map((d) => d.toJS() as any);
const of = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);

describe('the Kubernetes manifests', () => {
  it('are what `npm run k8s` writes from supergraph.yaml (run it and commit when this fails)', () => {
    expect(committed).toBe(renderManifests(subgraphs));
  });

  it.each([...subgraphs.map((s) => [s.name, s.port] as const), ['gateway', 4000] as const])(
    'run %s with several replicas, liveness and readiness probes, the signing secret, and a Service on port %i',
    (name, port) => {
      const deployment = of('Deployment', name);
      expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
      const container = deployment.spec.template.spec.containers[0];
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port });
      expect(container.env).toEqual(expect.arrayContaining([{ name: 'PORT', value: String(port) }]));
      // Subgraphs answer only the gateway in production: both read the one signing secret.
      expect(container.env).toEqual(
        expect.arrayContaining([{ name: 'SUBGRAPH_SIGNING_SECRETS', valueFrom: { secretKeyRef: { name: 'atrium-secrets', key: 'subgraph-signing-secrets' } } }]),
      );
      expect(of('Service', name).spec.ports).toEqual([{ name: 'http', port, targetPort: port }]);
    },
  );

  it('gives every subgraph its own database and routes the gateway to every subgraph Service', () => {
    for (const s of subgraphs) {
      const env = of('Deployment', s.name).spec.template.spec.containers[0].env;
      expect(env).toEqual(expect.arrayContaining([{ name: 'DATABASE_URL', value: `$(POSTGRES_SERVER_URL)/atrium_${s.name}` }]));
    }
    const gatewayEnv = of('Deployment', 'gateway').spec.template.spec.containers[0].env;
    for (const s of subgraphs) {
      expect(gatewayEnv).toEqual(expect.arrayContaining([{ name: `SUBGRAPH_${s.name.toUpperCase()}_URL`, value: `http://${s.name}:${s.port}/graphql` }]));
    }
  });
});
