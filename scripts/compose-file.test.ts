/**
 * docker-compose.yml cannot be run here (no Docker engine), so this checks it against the
 * one list of subgraphs, supergraph.yaml: a subgraph added there without its service,
 * port, database or healthcheck here fails with a message saying what is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { findRepoRoot } from './lib/repo-root';
import { databaseNameFor, GATEWAY_PORT, subgraphUrlVariable } from './lib/service-plan';
import { loadSupergraphConfig } from '@atrium/kit';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number | null> | string[];
  ports?: (string | number | { target: number; published?: number | string })[];
  healthcheck?: { test?: string[] | string };
  depends_on?: Record<string, { condition?: string }> | string[];
}

const root = findRepoRoot(__dirname);
const subgraphs = loadSupergraphConfig(path.join(root, 'supergraph.yaml'));
// Compose files use YAML merge keys (`<<: *anchor`) for what services share.
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;

function service(name: string): ComposeService {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}" (supergraph.yaml lists it)`);
  return found;
}

function environment(svc: ComposeService): Record<string, string> {
  const env = svc.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => [entry.split('=')[0], entry.split('=').slice(1).join('=')]));
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

/** [published, target] pairs of both the short ("127.0.0.1:4001:4001") and long syntax. */
function publishedPorts(svc: ComposeService): [number, number][] {
  return (svc.ports ?? []).map((port) => {
    if (typeof port === 'object') return [Number(port.published), port.target];
    const parts = String(port).replace(/\/(tcp|udp)$/, '').split(':');
    return [Number(parts[parts.length - 2] ?? parts[0]), Number(parts[parts.length - 1])];
  });
}

function healthcheckCommand(svc: ComposeService): string {
  const test = svc.healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : (test ?? '');
}

function dependsOnHealthy(svc: ComposeService, dependency: string): boolean {
  const deps = svc.depends_on;
  return !!deps && !Array.isArray(deps) && deps[dependency]?.condition === 'service_healthy';
}

function command(svc: ComposeService): string {
  return Array.isArray(svc.command) ? svc.command.join(' ') : (svc.command ?? '');
}

describe('docker-compose.yml', () => {
  describe.each(subgraphs.map((subgraph) => [subgraph.name, subgraph] as const))('subgraph %s', (name, subgraph) => {
    it('has a service of the same name built from the root Dockerfile, running its compiled main', () => {
      expect(service(name).build).toBe('.');
      expect(command(service(name))).toContain(`dist/subgraphs/${name}/src/main.js`);
    });

    it('listens on and publishes its supergraph.yaml port', () => {
      expect(environment(service(name)).PORT).toBe(String(subgraph.port));
      expect(publishedPorts(service(name))).toContainEqual([subgraph.port, subgraph.port]);
    });

    it('is healthy only once /ready answers, and waits for healthy PostgreSQL and Redis', () => {
      expect(healthcheckCommand(service(name))).toContain('/ready');
      expect(healthcheckCommand(service(name))).toContain('process.env.PORT');
      expect(dependsOnHealthy(service(name), 'postgres')).toBe(true);
      expect(dependsOnHealthy(service(name), 'redis')).toBe(true);
    });

    it('connects to its own database on the postgres service, to Redis and to identity’s JWKS', () => {
      const env = environment(service(name));
      const url = new URL(env.DATABASE_URL);
      expect(url.hostname).toBe('postgres');
      expect(url.pathname).toBe(`/${databaseNameFor(name)}`);
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      expect(env.JWKS_URL).toBe('http://identity:4001/.well-known/jwks.json');
      expect(env.HOST).toBe('0.0.0.0');
    });
  });

  it('gives no two services the same database', () => {
    const databases = Object.values(services)
      .map((svc) => environment(svc).DATABASE_URL)
      .filter((url): url is string => !!url)
      .map((url) => new URL(url).pathname);
    expect(new Set(databases).size).toBe(databases.length);
  });

  describe('gateway', () => {
    const gateway = (): ComposeService => service('gateway');

    it('publishes 4000 and runs the compiled gateway', () => {
      expect(publishedPorts(gateway())).toContainEqual([GATEWAY_PORT, GATEWAY_PORT]);
      expect(environment(gateway()).PORT).toBe(String(GATEWAY_PORT));
      expect(command(gateway())).toContain('dist/gateway/src/main.js');
      expect(healthcheckCommand(gateway())).toContain('/ready');
    });

    it.each(subgraphs.map((subgraph) => [subgraph.name, subgraph] as const))(
      'waits for %s to be healthy and routes to it by service name',
      (name, subgraph) => {
        expect(dependsOnHealthy(gateway(), name)).toBe(true);
        const routing = new URL(subgraph.url);
        expect(environment(gateway())[subgraphUrlVariable(name)]).toBe(
          `${routing.protocol}//${name}:${subgraph.port}${routing.pathname}`,
        );
      },
    );

    it('has no database of its own', () => {
      expect(environment(gateway()).DATABASE_URL).toBeUndefined();
    });
  });

  it('gives the gateway and every subgraph the same signing secret from the shell, required, in production', () => {
    for (const name of [...subgraphs.map((s) => s.name), 'gateway']) {
      const env = environment(service(name));
      expect(env.NODE_ENV).toBe('production');
      // `${VAR:?message}`: compose refuses to start without it, rather than run subgraphs open.
      expect(env.SUBGRAPH_SIGNING_SECRETS).toMatch(/^\$\{SUBGRAPH_SIGNING_SECRETS:\?.+\}$/);
    }
  });

  it('runs PostgreSQL 16 or later and Redis 7, each with a healthcheck', () => {
    const postgresMajor = Number(/^postgres:(\d+)/.exec(service('postgres').image ?? '')?.[1]);
    expect(postgresMajor).toBeGreaterThanOrEqual(16);
    expect(healthcheckCommand(service('postgres'))).toContain('pg_isready');
    expect(service('redis').image).toMatch(/^redis:7/);
    expect(healthcheckCommand(service('redis'))).toContain('redis-cli ping');
  });

  it('runs no subgraph that supergraph.yaml does not list', () => {
    const byName = (a: { service: string }, b: { service: string }): number => a.service.localeCompare(b.service);
    const running = Object.entries(services).flatMap(([name, svc]) => {
      const runs = /dist\/subgraphs\/([^/]+)\//.exec(command(svc))?.[1];
      return runs === undefined ? [] : [{ service: name, runs }];
    });
    expect(running.sort(byName)).toEqual(
      subgraphs.map((subgraph) => ({ service: subgraph.name, runs: subgraph.name })).sort(byName),
    );
  });
});

describe('Dockerfile', () => {
  const file = path.join(root, 'Dockerfile');
  const stages = (): { from: string; body: string }[] =>
    readFileSync(file, 'utf8')
      .split(/^FROM\s+/m)
      .slice(1)
      .map((stage) => ({ from: stage.split('\n')[0], body: stage }));

  it('exists at the repository root', () => {
    expect(existsSync(file)).toBe(true);
  });

  it('installs with npm ci, builds and prunes dev dependencies in its build stage', () => {
    const build = stages().find((stage) => /\bAS build\b/i.test(stage.from));
    expect(build?.body).toMatch(/^RUN npm ci\b/m);
    expect(build?.body).toContain('npm run build');
    expect(build?.body).toContain('npm prune --omit=dev');
  });

  it('runs as a non-root user on node:20-slim', () => {
    const runtime = stages().at(-1);
    const imageArg = /^ARG NODE_IMAGE=(\S+)$/m.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
    expect(runtime?.from.split(/\s+/)[0].replace('${NODE_IMAGE}', imageArg)).toBe('node:20-slim');
    expect(runtime?.body).toMatch(/^USER (?!root\b)\w+/m);
  });

  it('keeps node_modules, dist and local data out of the build context', () => {
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.atrium']));
  });
});
