/**
 * Everything a benchmark run measures, started as separate processes on free ports of
 * 127.0.0.1, and stopped again: the seven Atrium subgraphs (fresh databases on the local
 * PostgreSQL, a private event stream and job prefix on the local Redis), an SMTP sink for
 * notification, and the gateways — Atrium's (A), a stock @apollo/gateway (B), Hive
 * Gateway's CLI with its JavaScript query planner (C) and with its Rust one (E). Target D,
 * "direct", is the subgraphs themselves. Target F, "floor", is the benchmark's own
 * framework-free reference subgraphs (bench/floor/: `pg` + graphql-js, catalog-floor and
 * identity-floor), started beside catalog and identity on their databases (full mode only).
 *
 * In `light` mode the seven subgraphs are the benchmark's own in-memory ones
 * (bench/light/: the same schemas, answers from a fixed data set) and tokens come from a
 * test issuer in this process (kit's, its JWKS served here for Atrium's gateway): no
 * database, no seeding, no mail sink. The gateways are started exactly as in `full` mode.
 */
import IORedis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { freePort } from '../kit/src/http';
import { loadSupergraphConfig } from '../kit/src/supergraph-config';
import { createTestIssuer } from '../kit/src/testing/issuer';
import { loadBenchEnv, type Mode, type TargetId } from './args';
import { lightData } from './light/data';
import type { SeedFacts } from './queries';
import { Child } from './processes';
import { rewriteRoutingUrls, stripSecuritySpecs, type StrippedSecurity } from './supergraph-rewrite';

const benchEnv = loadBenchEnv();
export const POSTGRES_SERVER = benchEnv.databaseUrl;
export const REDIS_URL = benchEnv.redisUrl;
export const ADMIN = { email: 'admin@bench.atrium.local', password: 'bench-admin-password' } as const;

/** Budgets high enough that the load generator is never throttled; the limiter still runs on every request. */
export const BENCH_RATE_LIMITS = { RATE_LIMIT: 'on', RATE_LIMIT_USER: '1000000000', RATE_LIMIT_IP: '1000000000', RATE_LIMIT_LOGIN: '100000', RATE_LIMIT_LOGIN_IP: '100000' } as const;

export interface Endpoint {
  name: string;
  /** The GraphQL endpoint. */
  url: string;
  /** The process answering it (for RSS and CPU). */
  child: Child;
}

export interface StackOptions {
  repoRoot: string;
  /** `full` (default): Atrium's subgraphs; `light`: the benchmark's in-memory ones (bench/light/). */
  mode?: Mode;
  /** The gateways to start besides Atrium's (which seeding and contention always use). */
  targets: readonly TargetId[];
  /** Atrium's SUBGRAPH_DEDUP (default: the gateway's own default, on). */
  atriumDedup?: 'on' | 'off';
  /** Extra Node.js flags for the Atrium gateway (`--cpu-prof`, for `npm run bench:profile`). */
  atriumNodeArgs?: string[];
  /** Extra Node.js flags for one subgraph (`npm run bench:profile -- … <subgraph>`). */
  subgraphNodeArgs?: { name: string; args: string[] };
  log: (message: string) => void;
}


async function waitFor(what: string, child: Child, probe: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.hasExited) throw new Error(`${what} ${child.describeExit()} before it was ready; its log:\n${child.tail()}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} was not ready after ${timeoutMs / 1000} s; its log:\n${child.tail()}`);
    await sleep(150);
  }
}

const httpOk = (url: string) => async () => (await fetch(url, { signal: AbortSignal.timeout(2_000) })).status === 200;
const graphqlOk = (url: string) => async () => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
    signal: AbortSignal.timeout(2_000),
  });
  return res.status === 200 && ((await res.json()) as { data?: { __typename?: string } }).data?.__typename === 'Query';
};
const tcpOpen = (port: number) => () =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

export class Stack {
  readonly runId = randomBytes(3).toString('hex');
  readonly workDir = path.join(tmpdir(), `atrium-bench-${this.runId}`);
  readonly children: Child[] = [];
  readonly subgraphs = new Map<string, Endpoint>();
  atrium: Endpoint | undefined;
  stock: Endpoint | undefined;
  hive: Endpoint | undefined;
  /** Hive Gateway with its Rust query planner (`--hive-router-runtime`). */
  hiveRust: Endpoint | undefined;
  /** Target F: the floors (bench/floor/) by the subgraph they stand beside (catalog, identity); full mode only. */
  readonly floors = new Map<string, Endpoint>();
  /** In light mode: the ids and tokens the queries need (no seeding there). */
  lightFacts: SeedFacts | undefined;
  /** What was stripped from the stock gateway's supergraph copy. */
  stockStripped: StrippedSecurity | undefined;
  /** Whether Hive got the supergraph with its security specs (it accepts them, and ignores them). */
  hiveStripped = false;
  private readonly databases: string[] = [];
  private stopped: Promise<void> | undefined;
  /** Light mode: the JWKS this process serves for Atrium's gateway. */
  private jwksServer: { url: string; close(): Promise<void> } | undefined;
  /** The environment the Atrium gateway was started with (for extra gateways, see {@link startAtrium}). */
  private atriumEnv: NodeJS.ProcessEnv | undefined;
  private extraGateways = 0;
  /** Each subgraph's environment as started (for copies, see {@link startSubgraphCopy}). */
  private readonly subgraphEnvs = new Map<string, NodeJS.ProcessEnv>();

  constructor(private readonly options: StackOptions) {}

  private get prefix(): string {
    return `atrium-bench-${this.runId}`;
  }

  private start(name: string, entry: string, env: NodeJS.ProcessEnv, args: string[] = [], nodeArgs: string[] = [], cwd = this.options.repoRoot): Child {
    if (this.stopped) throw new Error(`not starting ${name}: the benchmark is stopping`);
    const { repoRoot } = this.options;
    const child = Child.start({
      name,
      entry,
      args,
      nodeArgs: ['--enable-source-maps', '--require', path.join(repoRoot, 'dist/scripts/lib/parent-watch.js'), ...nodeArgs],
      env: { ...benchEnv.inherited, ...env },
      cwd,
      logFile: path.join(this.workDir, `${name}.log`),
    });
    this.children.push(child);
    return child;
  }

  get mode(): Mode {
    return this.options.mode ?? 'full';
  }

  /** Starts the subgraphs and gateways; throws (after stopping what started) on any failure. */
  async up(): Promise<void> {
    const { repoRoot, targets, log } = this.options;
    const light = this.mode === 'light';
    mkdirSync(this.workDir, { recursive: true });
    for (const file of ['dist/scripts/lib/parent-watch.js', 'dist/gateway/src/main.js', 'dist/bench/targets/stock-gateway.js', 'dist/bench/light/main.js']) {
      if (!existsSync(path.join(repoRoot, file))) throw new Error(`${file} is missing: build first (npm run build)`);
    }
    const entries = loadSupergraphConfig(path.join(repoRoot, 'supergraph.yaml'));
    const ports = new Map<string, number>();
    for (const name of [...entries.map((e) => e.name), 'gateway', 'mail', 'stock', 'hive', 'hive-rust']) ports.set(name, await freePort());
    const subgraphUrl = (name: string) => `http://127.0.0.1:${ports.get(name)}`;
    const gatewayBase = subgraphUrl('gateway');

    log(`run ${this.runId} (${this.mode} subgraphs): logs in ${this.workDir}`);
    if (!light) {
      const mail = this.start('mail-sink', 'dist/bench/targets/mail-sink.js', { PORT: String(ports.get('mail')) });
      await waitFor('the mail sink', mail, tcpOpen(ports.get('mail')!));
    }

    const common = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      HOST: '127.0.0.1',
      REDIS_URL,
      EVENTS_STREAM: `atrium-bench:${this.runId}:events`,
      JOBS_PREFIX: this.prefix,
      // Live events (subscriptions, session revocations) on channels of this run only: not
      // the default `atrium:` ones any other Atrium on the same Redis publishes to.
      PUBSUB_PREFIX: `atrium-bench:${this.runId}:live`,
      // The peer gateways (stock, Hive) cannot sign their subgraph requests: the subgraphs
      // accept unsigned ones here, which production refuses (docs/benchmarks.md, Method).
      SUBGRAPH_SIGNATURE: 'off',
    };
    let jwks = `${subgraphUrl('identity')}/.well-known/jwks.json`;
    if (light) {
      // No identity to sign in with: tokens from kit's test issuer (ES256, the issuer and
      // audience identity uses), its key set served from here for Atrium's gateway.
      const issuer = await createTestIssuer();
      this.jwksServer = await issuer.serveJwks();
      jwks = this.jwksServer.url;
      const data = lightData();
      this.lightFacts = {
        memberId: data.memberId,
        memberToken: await issuer.token({ userId: data.memberId, roles: ['MEMBER'], expiresIn: '12h' }),
        adminToken: await issuer.token({ userId: data.adminId, roles: ['ADMIN'], expiresIn: '12h' }),
      };
    }
    const startLightSubgraph = async (name: string, schemaFile: string) => {
      const child = this.start(`light-${name}`, 'dist/bench/light/main.js', { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(ports.get(name)), LIGHT_SUBGRAPH: name, SCHEMA_FILE: schemaFile });
      await waitFor(`light ${name}`, child, httpOk(`${subgraphUrl(name)}/ready`));
      this.subgraphs.set(name, { name, url: `${subgraphUrl(name)}/graphql`, child });
    };
    const databaseOf = (name: string) => {
      const url = new URL(POSTGRES_SERVER);
      url.pathname = `/atrium_bench_${this.runId}_${name.replace(/-/g, '_')}`;
      return url.toString();
    };
    const startSubgraph = async (name: string) => {
      const url = databaseOf(name);
      this.databases.push(url);
      const env: NodeJS.ProcessEnv = { ...common, PORT: String(ports.get(name)), DATABASE_URL: url, JWKS_URL: jwks };
      if (name === 'identity') Object.assign(env, { ATRIUM_ADMIN_EMAIL: ADMIN.email, ATRIUM_ADMIN_PASSWORD: ADMIN.password, ACCESS_TOKEN_TTL: '3600' });
      if (name === 'notification') env.SMTP_URL = `smtp://127.0.0.1:${ports.get('mail')}`;
      if (name === 'health') {
        Object.assign(env, { SUPERGRAPH_CONFIG: path.join(repoRoot, 'supergraph.yaml'), GATEWAY_URL: gatewayBase });
        for (const other of entries) env[`HEALTH_SERVICE_${other.name.toUpperCase().replace(/-/g, '_')}_URL`] = subgraphUrl(other.name);
      }
      const entry = `dist/subgraphs/${name}/src/main.js`;
      if (!existsSync(path.join(repoRoot, entry))) throw new Error(`${entry} is missing: build first (npm run build)`);
      const nodeArgs = this.options.subgraphNodeArgs?.name === name ? this.options.subgraphNodeArgs.args : [];
      this.subgraphEnvs.set(name, env);
      const child = this.start(name, entry, env, [], nodeArgs);
      await waitFor(name, child, httpOk(`${subgraphUrl(name)}/ready`));
      this.subgraphs.set(name, { name, url: `${subgraphUrl(name)}/graphql`, child });
    };
    if (light) {
      log(`starting light ${entries.map((e) => e.name).join(', ')}`);
      await Promise.all(entries.map((e) => startLightSubgraph(e.name, e.schemaFile)));
    } else {
      // identity first: every other service verifies tokens against its JWKS.
      log('starting identity');
      await startSubgraph('identity');
      const rest = entries.map((e) => e.name).filter((n) => n !== 'identity');
      log(`starting ${rest.join(', ')}`);
      await Promise.all(rest.map(startSubgraph));
      if (targets.includes('floor')) {
        // On the databases catalog and identity migrated (and seeding fills), verifying tokens against identity's keys.
        log('starting catalog-floor, identity-floor');
        await Promise.all(['catalog', 'identity'].map((name) => this.startFloor(name, databaseOf(name), jwks)));
      }
    }

    const urls = Object.fromEntries([...this.subgraphs.values()].map((s) => [s.name, s.url]));
    const supergraphFile = path.join(repoRoot, 'schema/supergraph.graphql');
    const supergraph = readFileSync(supergraphFile, 'utf8');

    log('starting the Atrium gateway');
    const { SUBGRAPH_SIGNATURE: _unsigned, ...gatewayCommon } = common;
    const atriumEnv: NodeJS.ProcessEnv = {
      ...gatewayCommon,
      PORT: String(ports.get('gateway')),
      SUPERGRAPH_PATH: supergraphFile,
      JWKS_URL: jwks,
      ...BENCH_RATE_LIMITS,
      RATE_LIMIT_PREFIX: `atrium-bench:${this.runId}:ratelimit`,
      // Atrium's gateway still signs every subgraph request, as in production: it pays that cost.
      SUBGRAPH_SIGNING_SECRETS: randomBytes(32).toString('hex'),
      ...(this.options.atriumDedup ? { SUBGRAPH_DEDUP: this.options.atriumDedup } : {}),
    };
    for (const [name, url] of Object.entries(urls)) atriumEnv[`SUBGRAPH_${name.toUpperCase().replace(/-/g, '_')}_URL`] = url;
    this.atriumEnv = atriumEnv;
    const atrium = this.start('gateway-atrium', 'dist/gateway/src/main.js', atriumEnv, [], this.options.atriumNodeArgs);
    await waitFor('the Atrium gateway', atrium, httpOk(`${gatewayBase}/ready`));
    this.atrium = { name: 'atrium', url: `${gatewayBase}/graphql`, child: atrium };

    const starting: Promise<void>[] = [];
    if (targets.includes('stock')) {
      // Stock @apollo/gateway refuses the security specs (stack.md pitfall 10): strip them.
      this.stockStripped = stripSecuritySpecs(rewriteRoutingUrls(supergraph, urls));
      const file = path.join(this.workDir, 'supergraph.stock.graphql');
      writeFileSync(file, this.stockStripped.sdl);
      const port = ports.get('stock')!;
      const child = this.start('gateway-stock', 'dist/bench/targets/stock-gateway.js', { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), SUPERGRAPH_PATH: file });
      const url = `http://127.0.0.1:${port}/`;
      starting.push(waitFor('the stock gateway', child, graphqlOk(url)).then(() => void (this.stock = { name: 'stock', url, child })));
    }
    if (targets.includes('hive') || targets.includes('hive-rust')) {
      // Hive accepts the security specs (it ignores them unless its auth plugins are configured).
      const file = path.join(this.workDir, 'supergraph.hive.graphql');
      writeFileSync(file, rewriteRoutingUrls(supergraph, urls));
      if (targets.includes('hive')) starting.push(this.startHive('hive', file, ports.get('hive')!).then((e) => void (this.hive = e)));
      if (targets.includes('hive-rust')) starting.push(this.startHive('hive-rust', file, ports.get('hive-rust')!).then((e) => void (this.hiveRust = e)));
    }
    const names = { stock: 'the stock gateway', hive: 'Hive Gateway', 'hive-rust': 'Hive Gateway with its Rust query planner' } as const;
    const peers = (['stock', 'hive', 'hive-rust'] as const).filter((t) => targets.includes(t));
    if (peers.length) log(`starting ${peers.map((t) => names[t]).join(', ')}`);
    await Promise.all(starting);
  }

  /** Starts the floor of subgraph `name` (bench/floor/main.ts) on its database. */
  private async startFloor(name: string, databaseUrl: string, jwksUrl: string): Promise<void> {
    const entry = 'dist/bench/floor/main.js';
    if (!existsSync(path.join(this.options.repoRoot, entry))) throw new Error(`${entry} is missing: build first (npm run build)`);
    const port = await freePort();
    const child = this.start(`floor-${name}`, entry, { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), FLOOR: name, DATABASE_URL: databaseUrl, JWKS_URL: jwksUrl });
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${name}-floor`, child, httpOk(`${base}/ready`));
    this.floors.set(name, { name: `${name}-floor`, url: `${base}/graphql`, child });
  }

  /**
   * Starts Hive Gateway's CLI on `supergraphFile`: target C (`hive`, its JavaScript query
   * planner) or E (`hive-rust`, the same CLI with `--hive-router-runtime`, Hive's Rust query
   * planner). The CLI falls back to the JavaScript planner, with a warning, when the Rust
   * runtime does not load: that would silently measure C twice, so its log is checked.
   */
  private async startHive(target: 'hive' | 'hive-rust', supergraphFile: string, port: number): Promise<Endpoint> {
    const { repoRoot } = this.options;
    const bin = path.join(repoRoot, 'node_modules/@graphql-hive/gateway/dist/bin.js');
    const args = ['supergraph', supergraphFile, '--host', '127.0.0.1', '--port', String(port), '--fork', '1'];
    if (target === 'hive-rust') args.push('--hive-router-runtime');
    args.push('--config-path', path.join(repoRoot, 'dist/bench/targets/hive-gateway.config.js'));
    const child = this.start(`gateway-${target}`, bin, { NODE_ENV: 'production', LOG_LEVEL: 'warn' }, args);
    const url = `http://127.0.0.1:${port}/graphql`;
    const what = target === 'hive' ? 'Hive Gateway' : 'Hive Gateway (Rust query planner)';
    await waitFor(what, child, graphqlOk(url));
    if (target === 'hive-rust') {
      // Its startup lines reach the log file through a pipe: give them a moment.
      const said = (pattern: RegExp) => pattern.test(readFileSync(child.logFile, 'utf8'));
      for (let i = 0; i < 20 && !said(/Using Hive Router Runtime/); i++) await sleep(100);
      if (said(/Could not load the @graphql-hive\/router-runtime/) || !said(/Using Hive Router Runtime/)) {
        throw new Error(`${what} did not switch to the Rust query planner (@graphql-hive/router-runtime); its log:\n${child.tail()}`);
      }
    }
    return { name: target, url, child };
  }

  /**
   * Starts one more Atrium gateway on the same subgraphs, Redis namespaces and settings as
   * the first, on a port of its own, with `env` on top (`SUBSCRIPTION_DEDUP: 'off'`…) and
   * `nodeArgs` for Node.js (`--inspect=127.0.0.1:0`…).
   * Stop it with {@link stopEndpoint} when done; {@link down} stops it in any case.
   */
  async startAtrium(label: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Endpoint> {
    if (!this.atriumEnv) throw new Error('start the stack (up) before an extra gateway');
    const port = await freePort();
    const name = `gateway-atrium-${label}-${++this.extraGateways}`;
    const child = this.start(name, 'dist/gateway/src/main.js', { ...this.atriumEnv, ...env, PORT: String(port) }, [], nodeArgs);
    try {
      await waitFor(`the Atrium gateway "${label}"`, child, httpOk(`http://127.0.0.1:${port}/ready`));
    } catch (err) {
      await child.stop();
      throw err;
    }
    return { name, url: `http://127.0.0.1:${port}/graphql`, child };
  }

  /**
   * Starts one more process of subgraph `name` on the same database, Redis namespaces and
   * settings, on a port of its own, built in the checkout `checkout` (its `dist/`): how
   * `npm run bench:ab` loads two builds of a subgraph side by side on the same data.
   */
  async startSubgraphCopy(name: string, label: string, checkout: string): Promise<Endpoint> {
    const env = this.subgraphEnvs.get(name);
    if (!env) throw new Error(`subgraph ${name} is not running (full mode only)`);
    const entry = path.join(checkout, `dist/subgraphs/${name}/src/main.js`);
    if (!existsSync(entry)) throw new Error(`${entry} is missing: build that checkout first (npm run build:ts)`);
    const port = await freePort();
    const child = this.start(`${name}-${label}`, entry, { ...env, PORT: String(port) }, [], [], checkout);
    await waitFor(`${name} (${label})`, child, httpOk(`http://127.0.0.1:${port}/ready`));
    return { name: `${name}-${label}`, url: `http://127.0.0.1:${port}/graphql`, child };
  }

  /** Stops one gateway started by {@link startAtrium} (SIGTERM, then SIGKILL to its group). */
  async stopEndpoint(endpoint: Endpoint): Promise<void> {
    await endpoint.child.stop();
  }

  /** Any child that died on its own, described; undefined while all run. */
  casualty(): string | undefined {
    const dead = this.children.find((c) => c.hasExited && !c.isStopping);
    return dead ? `${dead.name} ${dead.describeExit()}; its log:\n${dead.tail()}` : undefined;
  }

  /** Stops every child (gateways first, then subgraphs, then the mail sink) and drops the databases and Redis keys. Idempotent. */
  down(keepLogs = false): Promise<void> {
    this.stopped ??= (async () => {
      const order = (c: Child) => (c.name.startsWith('gateway') ? 0 : c.name === 'mail-sink' ? 2 : 1);
      for (const rank of [0, 1, 2]) await Promise.all(this.children.filter((c) => order(c) === rank).map((c) => c.stop()));
      await this.jwksServer?.close().catch(() => undefined);
      await this.dropDatabases().catch((err: unknown) => this.options.log(`could not drop the benchmark databases: ${String(err)}`));
      await this.deleteRedisKeys().catch((err: unknown) => this.options.log(`could not delete the benchmark's Redis keys: ${String(err)}`));
      if (!keepLogs) rmSync(this.workDir, { recursive: true, force: true });
    })();
    return this.stopped;
  }

  private async dropDatabases(): Promise<void> {
    if (this.databases.length === 0) return;
    const client = new Client({ connectionString: POSTGRES_SERVER });
    await client.connect();
    try {
      for (const url of this.databases) {
        const name = decodeURIComponent(new URL(url).pathname.slice(1));
        await client.query(`drop database if exists "${name.replace(/"/g, '""')}" with (force)`);
      }
    } finally {
      await client.end();
    }
  }

  private async deleteRedisKeys(): Promise<void> {
    const redis = new IORedis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      for (const pattern of [`atrium-bench:${this.runId}:*`, `${this.prefix}:*`]) {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          if (keys.length) await redis.del(...keys);
        } while (cursor !== '0');
      }
    } finally {
      redis.disconnect();
    }
  }
}
