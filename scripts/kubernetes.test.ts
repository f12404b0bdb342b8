/**
 * deploy/kubernetes cannot be applied here (no cluster), so this renders every overlay the
 * way `kubectl apply -k` would (`kubectl kustomize`), validates each object against the
 * Kubernetes API schemas (kubernetes-models, offline), and checks what the cluster could not
 * tell before a bad day in production: every subgraph of supergraph.yaml runs with probes on
 * the paths the services really serve, resources and a locked-down securityContext; only the
 * gateway (and health's monitor) reach a subgraph; HPAs and PDBs point at real pods; and every
 * container's environment, assembled from its ConfigMaps and the example Secret, is one its
 * service reads and parses.
 */
import { loadSupergraphConfig, z } from '@atrium/kit';
import { serveProbes } from '@atrium/kit/subgraph/readiness';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as models from 'kubernetes-models';
import { parse, parseAllDocuments } from 'yaml';
import { gatewayEnv, loadGatewayConfig } from '../gateway/src/config';
import { operations } from '../gateway/src/ops/endpoints';
import { createGatewayMetrics } from '../gateway/src/ops/metrics';
import { SUBGRAPHS, type SubgraphName } from '../subgraphs';
import { bookingEnv } from '../subgraphs/booking/src/config';
import { catalogEnv } from '../subgraphs/catalog/src/config';
import { healthEnv } from '../subgraphs/health/src/config';
import { identityEnv } from '../subgraphs/identity/src/config';
import { notificationEnv } from '../subgraphs/notification/src/config';
import { paymentEnv } from '../subgraphs/payment/src/config';
import { reportingEnv } from '../subgraphs/reporting/src/config';
import { AUTOSCALED_SUBGRAPHS, BASE_DIR, KUBERNETES_DIR, MIGRATE_ENTRY, NAMESPACE, renderKubernetes, SECRET } from './lib/kubernetes';
import { findRepoRoot } from './lib/repo-root';
import { GATEWAY_PORT } from './lib/service-plan';

const root = findRepoRoot(__dirname);
const subgraphs = loadSupergraphConfig(path.join(root, 'supergraph.yaml'));
const services = [...subgraphs.map((s) => ({ name: s.name, port: s.port })), { name: 'gateway', port: GATEWAY_PORT }];
const OVERLAYS = ['dev', 'production'] as const;

// ---------------------------------------------------------------------------------------------
// What the services read: each one's config schema (the compiler checks every subgraph is here),
// plus the open-ended override variables their loaders collect by pattern.

const ENV_SHAPES: Record<SubgraphName, z.ZodRawShape> = {
  identity: identityEnv,
  catalog: catalogEnv,
  booking: bookingEnv,
  payment: paymentEnv,
  notification: notificationEnv,
  reporting: reportingEnv,
  health: healthEnv,
};
const PATTERNS: Record<string, RegExp> = { gateway: /^SUBGRAPH_[A-Z0-9_]+_URL$/, health: /^HEALTH_SERVICE_[A-Z0-9_]+_URL$/ };
const shapeOf = (service: string): z.ZodRawShape => (service === 'gateway' ? gatewayEnv : ENV_SHAPES[service as SubgraphName]);
const reads = (service: string, name: string) => Object.hasOwn(shapeOf(service), name) || !!PATTERNS[service]?.test(name);

/** Parses `env` as the service does at start (throws a ConfigError naming every bad variable). */
function loadServiceConfig(service: string, env: Record<string, string>): unknown {
  return service === 'gateway' ? loadGatewayConfig(env) : SUBGRAPHS[service as SubgraphName].loadConfig(env);
}

/**
 * The variables a cluster must set: those with no default, those whose default is a loopback
 * address (fine on a laptop, wrong in a pod: DATABASE_URL, REDIS_URL, JWKS_URL, HOST,
 * SMTP_URL, GATEWAY_URL...), and the signing secrets (empty by default; in production
 * subgraphs refuse unsigned requests and the gateway must sign).
 */
function requiredInCluster(service: string): string[] {
  const shape = shapeOf(service);
  const required = Object.entries(shape)
    .filter(([, schema]) => {
      const parsed = (schema as z.ZodTypeAny).safeParse(undefined);
      return !parsed.success || /127\.0\.0\.1|localhost/.test(JSON.stringify(parsed.data ?? ''));
    })
    .map(([name]) => name);
  return Object.hasOwn(shape, 'SUBGRAPH_SIGNING_SECRETS') ? [...required, 'SUBGRAPH_SIGNING_SECRETS'] : required;
}

// ---------------------------------------------------------------------------------------------
// Rendering and schema validation.

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: any };

function kubectl(args: string[]): string {
  try {
    return execFileSync('kubectl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const error = err as NodeJS.ErrnoException & { stderr?: string };
    if (error.code === 'ENOENT') {
      throw new Error('kubectl is not installed or not on PATH: these tests render the Kustomize overlays with `kubectl kustomize` (CI machines have it; see docs.kubernetes.io/docs/tasks/tools/)');
    }
    throw new Error(`kubectl ${args.join(' ')} failed:\n${error.stderr ?? error.message}`);
  }
}

function render(dir: string): K8sObject[] {
  return parseAllDocuments(kubectl(['kustomize', path.join(root, dir)]))
    .map((doc) => doc.toJS() as K8sObject)
    .filter(Boolean);
}

/** `apps/v1` → kubernetes-models' `apps.v1`, `networking.k8s.io/v1` → `networkingK8sIo.v1`, `v1` → `v1`. */
function modelClass(apiVersion: string, kind: string): (new (data: object) => { validate(): void }) | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const key = group === '' ? undefined : group.replace(/\.(\w)/g, (_m, c: string) => c.toUpperCase());
  const byVersion = key ? (models as Record<string, any>)[key]?.[version] : (models as Record<string, any>)[version];
  return byVersion?.[kind];
}

/** Validates `object` against the Kubernetes API schema of its apiVersion and kind; unknown kinds fail. */
function validateObject(object: K8sObject): void {
  const Model = modelClass(object.apiVersion, object.kind);
  if (!Model) throw new Error(`${object.kind} ${object.metadata?.name}: no Kubernetes API schema for ${object.apiVersion} ${object.kind}`);
  try {
    new Model(object).validate();
  } catch (err) {
    throw new Error(`${object.kind} ${object.metadata?.name} is invalid: ${(err as Error).message}`);
  }
}

const rendered: Record<string, K8sObject[]> = {};
beforeAll(() => {
  for (const overlay of OVERLAYS) rendered[overlay] = render(`${KUBERNETES_DIR}/overlays/${overlay}`);
  rendered.base = render(BASE_DIR);
});

const exampleSecret = parse(readFileSync(path.join(root, KUBERNETES_DIR, 'secrets.example.yaml'), 'utf8')) as K8sObject & { stringData: Record<string, string> };

// ---------------------------------------------------------------------------------------------
// Helpers over a rendered set of objects.

const all = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
function one(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name} in the rendered manifests`);
  return found;
}
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> = {}) =>
  Object.entries(selector ?? {}).every(([key, value]) => labels[key] === value);
const podLabels = (workload: K8sObject): Record<string, string> => workload.spec.template.metadata.labels;
const containersOf = (workload: K8sObject): any[] => [...(workload.spec.template.spec.initContainers ?? []), ...workload.spec.template.spec.containers];

/** The service a container runs, from its command: a subgraph's main, the gateway's, or the migration entry. */
function serviceOf(container: any): string {
  const command: string[] = container.command;
  const main = command.map((arg) => /^dist\/(?:subgraphs\/([^/]+)|(gateway))\/src\/main\.js$/.exec(arg)).find(Boolean);
  if (main) return main[1] ?? main[2];
  if (command.includes(MIGRATE_ENTRY)) return command[command.length - 1];
  throw new Error(`container ${container.name} runs something unknown: ${command.join(' ')}`);
}

/** The environment Kubernetes gives `container`: its ConfigMaps' data, then its own env (secrets from the example Secret). */
function environmentOf(objects: K8sObject[], container: any): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    Object.assign(env, one(objects, 'ConfigMap', source.configMapRef.name).data);
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref) {
      expect(ref.name).toBe(SECRET);
      if (!(ref.key in exampleSecret.stringData)) throw new Error(`${container.name} reads ${variable.name} from key ${ref.key}, which secrets.example.yaml lacks`);
      env[variable.name] = exampleSecret.stringData[ref.key];
    } else {
      env[variable.name] = variable.value;
    }
  }
  return env;
}

/** NetworkPolicy evaluation: may a pod labelled `from` open TCP `port` on a pod labelled `to`? (Same namespace.) */
function policiesFor(objects: K8sObject[], labels: Record<string, string>, type: 'Ingress' | 'Egress') {
  return all(objects, 'NetworkPolicy').filter((p) => matches(p.spec.podSelector.matchLabels, labels) && (p.spec.policyTypes ?? ['Ingress']).includes(type));
}
const portAllowed = (ports: any[] | undefined, port: number, protocol = 'TCP') => !ports || ports.some((p) => p.port === port && (p.protocol ?? 'TCP') === protocol);
const peerMatchesPod = (peer: any, labels: Record<string, string>) => !peer.namespaceSelector && !peer.ipBlock && peer.podSelector && matches(peer.podSelector.matchLabels, labels);

function ingressAllowed(objects: K8sObject[], from: Record<string, string>, to: Record<string, string>, port: number): boolean {
  return policiesFor(objects, to, 'Ingress').some((p) => (p.spec.ingress ?? []).some((rule: any) => portAllowed(rule.ports, port) && (!rule.from || rule.from.some((peer: any) => peerMatchesPod(peer, from)))));
}
/** Egress to a pod (`to` labels) or, when `to` is undefined, to an address outside the cluster. */
function egressAllowed(objects: K8sObject[], from: Record<string, string>, to: Record<string, string> | undefined, port: number, protocol = 'TCP'): boolean {
  return policiesFor(objects, from, 'Egress').some((p) =>
    (p.spec.egress ?? []).some((rule: any) => portAllowed(rule.ports, port, protocol) && (!rule.to || (to !== undefined && rule.to.some((peer: any) => peerMatchesPod(peer, to))))),
  );
}
const reaches = (objects: K8sObject[], from: Record<string, string>, to: Record<string, string>, port: number) =>
  egressAllowed(objects, from, to, port) && ingressAllowed(objects, from, to, port);

/** The fewest replicas a Deployment runs: its HPA's floor when it has one, else `replicas`. */
function minReplicas(objects: K8sObject[], deployment: K8sObject): number {
  const hpa = all(objects, 'HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.name === deployment.metadata.name);
  return hpa ? hpa.spec.minReplicas : (deployment.spec.replicas ?? 1);
}

// ---------------------------------------------------------------------------------------------

describe('deploy/kubernetes', () => {
  it('holds what `npm run k8s` writes from supergraph.yaml, and nothing stale (run it and commit when this fails)', () => {
    const files = renderKubernetes(subgraphs);
    for (const { file, content } of files) {
      expect({ file, content: readFileSync(path.join(root, file), 'utf8') }).toEqual({ file, content });
      expect(content.startsWith('# Generated by `npm run k8s`')).toBe(true);
    }
    const generatedBase = files.filter((f) => f.file.startsWith(`${BASE_DIR}/`)).map((f) => path.basename(f.file));
    expect(readdirSync(path.join(root, BASE_DIR)).sort()).toEqual(generatedBase.sort());
  });

  it('validates with the schema of each object\'s apiVersion and kind, refusing unknown kinds and invalid objects', () => {
    const meta = { name: 'x' };
    expect(() => validateObject({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta, spec: { maxUnavailable: 1 } })).not.toThrow();
    expect(() => validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta })).toThrow('no Kubernetes API schema for example.com/v1 Widget');
    expect(() => validateObject({ apiVersion: 'autoscaling/v2', kind: 'Deployment', metadata: meta })).toThrow('no Kubernetes API schema');
    expect(() => validateObject({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta, spec: { podSelector: {}, policyTypes: 'Ingress' } })).toThrow(/NetworkPolicy x is invalid: .*policyTypes/);
  });

  it('has an example Secret that is a valid Secret with only placeholders for credentials', () => {
    validateObject(exampleSecret);
    expect(exampleSecret.metadata).toEqual({ name: SECRET, namespace: NAMESPACE });
    for (const [key, value] of Object.entries(exampleSecret.stringData)) {
      if (!/email/.test(key)) expect({ key, placeholder: /CHANGE-ME/.test(value) }).toEqual({ key, placeholder: true });
    }
  });

  describe.each(['base', ...OVERLAYS])('rendered with `kubectl kustomize` (%s)', (overlay) => {
    const objects = () => rendered[overlay];
    const deployment = (name: string) => one(objects(), 'Deployment', name);

    it('renders only objects that validate against the Kubernetes API schemas, all in the atrium namespace', () => {
      expect(objects().length).toBeGreaterThan(services.length * 3);
      for (const object of objects()) {
        validateObject(object);
        if (object.kind !== 'Namespace') expect({ object: `${object.kind}/${object.metadata.name}`, namespace: object.metadata.namespace }).toEqual({ object: `${object.kind}/${object.metadata.name}`, namespace: NAMESPACE });
      }
    });

    it.each(services)('runs $name behind a Service on port $port, with liveness /health and readiness /ready on that port', ({ name, port }) => {
      const container = deployment(name).spec.template.spec.containers[0];
      expect(serviceOf(container)).toBe(name);
      expect(container.ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
      expect(container.env).toContainEqual({ name: 'PORT', value: String(port) });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
      expect(container.startupProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      // A probe must answer in time even when a dependency hangs: the services answer within 1 s.
      expect(container.readinessProbe.timeoutSeconds).toBeGreaterThan(1);
      const svc = one(objects(), 'Service', name);
      expect(svc.spec.ports).toEqual([{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }]);
      const selected = all(objects(), 'Deployment').filter((d) => matches(svc.spec.selector, podLabels(d)));
      expect(selected.map((d) => d.metadata.name)).toEqual([name]);
    });

    it('sets CPU and memory requests and limits on every container, init containers and the migration Job included', () => {
      for (const workload of [...all(objects(), 'Deployment'), ...all(objects(), 'Job')]) {
        for (const container of containersOf(workload)) {
          const { requests, limits } = container.resources ?? {};
          expect({ container: container.name, requests: Object.keys(requests ?? {}).sort(), limits: Object.keys(limits ?? {}).sort() }).toEqual({ container: container.name, requests: ['cpu', 'memory'], limits: ['cpu', 'memory'] });
        }
      }
    });

    it('runs every container as non-root on a read-only root filesystem, without privileges or a service-account token', () => {
      for (const workload of [...all(objects(), 'Deployment'), ...all(objects(), 'Job')]) {
        const pod = workload.spec.template.spec;
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
        for (const container of containersOf(workload)) {
          expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
          expect(container.securityContext.runAsUser).toBeGreaterThan(0);
        }
      }
    });

    it('autoscales the gateway and the busy subgraphs with HPAs that target existing Deployments, whose replica count they own', () => {
      const hpas = all(objects(), 'HorizontalPodAutoscaler');
      const expected = ['gateway', ...AUTOSCALED_SUBGRAPHS.filter((n) => subgraphs.some((s) => s.name === n))];
      expect(expected).toEqual(expect.arrayContaining(['gateway', 'catalog', 'booking', 'identity']));
      expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(expected.sort());
      for (const hpa of hpas) {
        expect(hpa.apiVersion).toBe('autoscaling/v2');
        expect(hpa.spec.scaleTargetRef).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' });
        const target = deployment(hpa.spec.scaleTargetRef.name);
        // `replicas` on an autoscaled Deployment would reset the HPA's count on every apply.
        expect(target.spec.replicas).toBeUndefined();
        expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
        // Utilization is measured against the CPU request.
        expect(hpa.spec.metrics).toContainEqual(expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) }));
        expect(target.spec.template.spec.containers[0].resources.requests.cpu).toBeDefined();
      }
    });

    it('gives every Deployment a PodDisruptionBudget that selects its pods and only them', () => {
      const budgets = all(objects(), 'PodDisruptionBudget');
      for (const d of all(objects(), 'Deployment')) {
        const covering = budgets.filter((b) => matches(b.spec.selector.matchLabels, podLabels(d)));
        expect({ deployment: d.metadata.name, budgets: covering.length }).toEqual({ deployment: d.metadata.name, budgets: 1 });
      }
      for (const b of budgets) {
        expect(all(objects(), 'Deployment').filter((d) => matches(b.spec.selector.matchLabels, podLabels(d)))).toHaveLength(1);
        // One pod at a time: a drain never blocks, whatever the replica count.
        expect(b.spec.maxUnavailable).toBe(1);
      }
    });

    it('lets only the gateway (and health, which polls every /ready) reach a subgraph, except identity’s JWKS which every service fetches', () => {
      const defaultDeny = all(objects(), 'NetworkPolicy').find((p) => Object.keys(p.spec.podSelector).length === 0 && !p.spec.ingress && !p.spec.egress);
      expect(defaultDeny?.spec.policyTypes.sort()).toEqual(['Egress', 'Ingress']);
      const workloads = [...all(objects(), 'Deployment'), ...all(objects(), 'Job')];
      for (const s of subgraphs) {
        const target = podLabels(deployment(s.name));
        const expected = (s.name === 'identity' ? all(objects(), 'Deployment').map((d) => d.metadata.name) : ['gateway', 'health']).sort();
        // Both sides say so: the subgraph's ingress rules, and the callers' egress rules.
        const admitted = workloads.filter((w) => ingressAllowed(objects(), podLabels(w), target, s.port)).map((w) => w.metadata.name);
        const reaching = workloads.filter((w) => reaches(objects(), podLabels(w), target, s.port)).map((w) => w.metadata.name);
        expect({ subgraph: s.name, admitted: admitted.sort(), reaching: reaching.sort() }).toEqual({ subgraph: s.name, admitted: expected, reaching: expected });
        // Nothing outside the namespace's workloads (no namespace or address peers) is admitted.
        expect(ingressAllowed(objects(), { app: 'anything-else' }, target, s.port)).toBe(false);
      }
      // Anyone (the Ingress controller, a load balancer) reaches the gateway on its port.
      expect(ingressAllowed(objects(), { app: 'ingress-controller' }, podLabels(deployment('gateway')), GATEWAY_PORT)).toBe(true);
    });

    it('lets subgraphs reach PostgreSQL and Redis, the gateway only Redis, notification SMTP, and every pod DNS', () => {
      const gateway = podLabels(deployment('gateway'));
      for (const s of subgraphs) {
        const pod = podLabels(deployment(s.name));
        expect({ subgraph: s.name, postgres: egressAllowed(objects(), pod, undefined, 5432), redis: egressAllowed(objects(), pod, undefined, 6379) }).toEqual({ subgraph: s.name, postgres: true, redis: true });
        expect({ subgraph: s.name, smtp: egressAllowed(objects(), pod, undefined, 587) }).toEqual({ subgraph: s.name, smtp: s.name === 'notification' });
      }
      expect(egressAllowed(objects(), gateway, undefined, 6379)).toBe(true);
      expect(egressAllowed(objects(), gateway, undefined, 5432)).toBe(false);
      expect(egressAllowed(objects(), podLabels(one(objects(), 'Job', 'atrium-migrate')), undefined, 5432)).toBe(true);
      const dns = all(objects(), 'NetworkPolicy').filter((p) => Object.keys(p.spec.podSelector).length === 0 && p.spec.egress);
      expect(dns.flatMap((p) => p.spec.egress.flatMap((r: any) => r.ports))).toEqual(expect.arrayContaining([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]));
      expect(dns.flatMap((p) => p.spec.egress.flatMap((r: any) => r.to))).toEqual([expect.objectContaining({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } })]);
    });

    it('migrates in a Job, one container per subgraph, while Deployments do not migrate and wait for it', () => {
      const job = one(objects(), 'Job', 'atrium-migrate');
      expect(job.spec.template.spec.restartPolicy).toBe('OnFailure');
      expect(job.spec.template.spec.containers.map(serviceOf)).toEqual(subgraphs.map((s) => s.name));
      for (const s of subgraphs) {
        const d = deployment(s.name);
        const [init] = d.spec.template.spec.initContainers;
        expect(init.command).toEqual(['node', '--enable-source-maps', MIGRATE_ENTRY, '--wait', s.name]);
        expect(environmentOf(objects(), d.spec.template.spec.containers[0]).DB_MIGRATE).toBe('false');
        // The init container waits on the database the service uses.
        expect(init.env).toContainEqual(d.spec.template.spec.containers[0].env.find((e: any) => e.name === 'DATABASE_URL'));
      }
    });

    it('gives every container only variables its service reads, every one a cluster needs, and an environment the service parses', () => {
      for (const workload of [...all(objects(), 'Deployment'), ...all(objects(), 'Job')]) {
        for (const container of containersOf(workload)) {
          const service = serviceOf(container);
          const env = environmentOf(objects(), container);
          const unread = Object.keys(env).filter((name) => !reads(service, name));
          expect({ container: `${workload.metadata.name}/${container.name}`, unread }).toEqual({ container: `${workload.metadata.name}/${container.name}`, unread: [] });
          expect(() => loadServiceConfig(service, env)).not.toThrow();
          // The migration containers need only the database; the services need all of it.
          const needed = container.command.includes(MIGRATE_ENTRY) ? ['DATABASE_URL'] : requiredInCluster(service);
          const missing = needed.filter((name) => !(name in env));
          expect({ container: `${workload.metadata.name}/${container.name}`, missing }).toEqual({ container: `${workload.metadata.name}/${container.name}`, missing: [] });
        }
      }
      // The gateway routes to every subgraph's Service, and health polls each of them.
      const gatewayEnvironment = environmentOf(objects(), deployment('gateway').spec.template.spec.containers[0]);
      const healthEnvironment = environmentOf(objects(), deployment('health').spec.template.spec.containers[0]);
      for (const s of subgraphs) {
        expect(gatewayEnvironment[`SUBGRAPH_${s.name.toUpperCase()}_URL`]).toBe(`http://${s.name}:${s.port}/graphql`);
        expect(healthEnvironment[`HEALTH_SERVICE_${s.name.toUpperCase()}_URL`]).toBe(`http://${s.name}:${s.port}`);
      }
    });

    it('runs several replicas of every service wherever it is not a dev cluster', () => {
      for (const d of all(objects(), 'Deployment')) {
        expect({ deployment: d.metadata.name, min: minReplicas(objects(), d) >= (overlay === 'dev' ? 1 : overlay === 'production' ? 3 : 2) }).toEqual({ deployment: d.metadata.name, min: true });
      }
    });
  });

  describe('the production overlay', () => {
    const objects = () => rendered.production;
    it('enforces trusted documents at the gateway', () => {
      expect(environmentOf(objects(), one(objects(), 'Deployment', 'gateway').spec.template.spec.containers[0]).TRUSTED_DOCUMENTS).toBe('enforce');
    });

    it('runs in production mode with signed subgraph requests required', () => {
      for (const d of all(objects(), 'Deployment')) {
        const env = environmentOf(objects(), d.spec.template.spec.containers[0]);
        expect({ deployment: d.metadata.name, NODE_ENV: env.NODE_ENV }).toEqual({ deployment: d.metadata.name, NODE_ENV: 'production' });
        if (d.metadata.name !== 'gateway') expect(env.SUBGRAPH_SIGNATURE).toBe('required');
      }
    });

    it('pins one released image from a registry for every container, never :latest', () => {
      const images = new Set([...all(objects(), 'Deployment'), ...all(objects(), 'Job')].flatMap((w) => containersOf(w).map((c) => c.image as string)));
      expect(images.size).toBe(1);
      const [image] = images;
      expect(image).toMatch(/^[a-z0-9.-]+\.[a-z]+(:\d+)?\/.+:[\w.-]+$/);
      expect(image).not.toMatch(/:latest$/);
    });

    it('runs more replicas than the dev overlay, and can scale the gateway furthest', () => {
      for (const d of all(objects(), 'Deployment')) {
        expect(minReplicas(objects(), d)).toBeGreaterThan(minReplicas(rendered.dev, one(rendered.dev, 'Deployment', d.metadata.name)));
      }
      const max = (name: string) => one(objects(), 'HorizontalPodAutoscaler', name).spec.maxReplicas;
      for (const name of AUTOSCALED_SUBGRAPHS) expect(max('gateway')).toBeGreaterThanOrEqual(max(name));
    });
  });

  describe('probe paths', () => {
    /** The GET routes a service mounts, recorded on a stand-in Express app. */
    const recorder = () => {
      const routes: string[] = [];
      return { routes, app: { get: (route: string) => void routes.push(route), use: () => undefined } as any };
    };

    it('are routes every subgraph serves (kit’s probes)', () => {
      const { routes, app } = recorder();
      serveProbes(app, { name: 'any', orm: {} as any, redis: {} as any });
      expect(routes).toEqual(expect.arrayContaining(['/health', '/ready']));
    });

    it('are routes the gateway serves (its operations module)', async () => {
      const { routes, app } = recorder();
      const host = { config: { NODE_ENV: 'production' }, metrics: createGatewayMetrics(), readiness: () => ({ ready: true }) };
      const started = await operations({ urls: {}, circuits: {} } as any, { redisStatus: () => undefined } as any).start(host as any);
      try {
        (started as any).routes(app);
        expect(routes).toEqual(expect.arrayContaining(['/health', '/ready']));
      } finally {
        await started.close?.();
      }
    });
  });
});
