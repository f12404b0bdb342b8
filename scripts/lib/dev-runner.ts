import { freePort } from '@atrium/kit';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { renderBanner, type DatabaseInfo, type RedisInfo } from './banner';
import type { CaptureServer } from './mail-catcher';
import { findOnPath, NO_REDIS_HELP, pingRedis } from './redis-server';
import { launchPostgresHost } from './postgres-process';
import { waitUntilReady } from './readiness';
import type { RunnerArgs, RunnerEnv } from './runner-args';
import { planServices, withDatabases, type ServiceSpec } from './service-plan';
import { describeExit, ServiceProcess } from './service-process';
import type { SubgraphEntry } from '@atrium/kit';
import { padTag, type Paint } from './terminal';

/** Everything the runner needs, already parsed. */
export interface DevRunnerOptions {
  repoRoot: string;
  /** Every subgraph of supergraph.yaml. */
  subgraphs: readonly SubgraphEntry[];
  args: RunnerArgs;
  runnerEnv: RunnerEnv;
  /** The environment passed on to services (and read by the PostgreSQL host). */
  env: NodeJS.ProcessEnv;
  paint: Paint;
  /** The compiled scripts/lib folder (postgres-host.js, parent-watch.js). */
  libDir: string;
}

/**
 * Runs the local platform: the database, the selected subgraphs, then the gateway; stops
 * them in the reverse order.
 *
 * Failure policy: if any process dies while the others run (or fails to become ready),
 * the runner says which and why, stops everything and exits non-zero. A half-running
 * supergraph would only produce confusing errors further away from the cause.
 */
export class DevRunner {
  private readonly subgraphProcesses: ServiceProcess[] = [];
  private gatewayProcess: ServiceProcess | undefined;
  private postgres: ServiceProcess | undefined;
  private redisServer: ServiceProcess | undefined;
  private mailCatcher: CaptureServer | undefined;
  private readonly abort = new AbortController();
  private stopped: Promise<number> | undefined;
  private readonly finished: Promise<number>;
  private finish: (code: number) => void = () => undefined;
  private readonly tagWidth: number;
  /** What to start, checked before anything starts; databases are added once known. */
  private readonly services: ServiceSpec[];

  /** Plans the services; throws on a configuration that cannot run (port clash). */
  constructor(private readonly options: DevRunnerOptions) {
    const { subgraphs, args, env, paint } = options;
    this.services = planServices({ subgraphs, args, env, color: paint.enabled });
    this.finished = new Promise((resolve) => (this.finish = resolve));
    this.tagWidth = Math.max('atrium'.length, 'postgres'.length, 'redis'.length, ...this.services.map((service) => service.name.length));
  }

  /** True once a shutdown has begun. */
  get isStopping(): boolean {
    return this.stopped !== undefined;
  }

  /**
   * Starts everything and prints the banner. Resolves with the exit code once the runner
   * has stopped (after {@link shutdown}, or a failure).
   */
  async run(): Promise<number> {
    try {
      this.checkEntries();
      const database = await this.startDatabase();
      const redis = await this.startRedis();
      const mail = await this.startMailCatcher();
      const specs = withDatabases(this.services, database.url).map((spec) => ({
        ...spec,
        env: { ...spec.env, REDIS_URL: redis.url, ...(mail && spec.name === 'notification' ? { SMTP_URL: mail.url } : {}) },
      }));
      const subgraphs = specs.filter((spec) => spec.kind === 'subgraph');
      if (subgraphs.length > 0) {
        this.log(`starting ${subgraphs.map((spec) => spec.name).join(', ')}`);
        await Promise.all(subgraphs.map((spec) => this.startService(spec)));
      }
      const gateway = specs.find((spec) => spec.kind === 'gateway');
      if (gateway) {
        this.log('starting the gateway');
        await this.startService(gateway);
      }
      const { subgraphs: all, args } = this.options;
      const notStarted = all.map((subgraph) => subgraph.name).filter((name) => !args.subgraphs.includes(name));
      process.stdout.write(
        `${renderBanner({ services: specs, notStarted, database, redis, mailFolder: mail?.folder, repoRoot: this.options.repoRoot, paint: this.options.paint })}\n`,
      );
    } catch (error) {
      if (!this.isStopping) void this.shutdown(1, error instanceof Error ? error.message : String(error));
    }
    return this.finished;
  }

  /**
   * Stops the gateway, then the subgraphs, then the embedded database (each SIGTERM,
   * SIGKILL after 10 s). Idempotent: later calls return the first call's result.
   */
  shutdown(code: number, reason: string): Promise<number> {
    if (this.stopped) return this.stopped;
    this.abort.abort();
    if (code === 0) this.log(reason);
    else this.log(this.options.paint.red(reason));
    this.stopped = (async () => {
      await this.gatewayProcess?.stop();
      await Promise.all(this.subgraphProcesses.map((child) => child.stop()));
      await Promise.all([this.postgres?.stop(), this.redisServer?.stop(), this.mailCatcher?.close()]);
      this.log(code === 0 ? 'stopped' : `stopped (exit code ${code})`);
      this.finish(code);
      return code;
    })();
    return this.stopped;
  }

  private checkEntries(): void {
    const missing = this.services.filter((spec) => !existsSync(path.join(this.options.repoRoot, spec.entry)));
    if (missing.length > 0) {
      throw new Error(
        `not built: ${missing.map((spec) => spec.entry).join(', ')} ` +
          '(npm start compiles with tsc first: does each service have its src/main.ts?)',
      );
    }
  }

  private async startDatabase(): Promise<DatabaseInfo> {
    const external = this.options.runnerEnv.databaseUrl;
    if (external) {
      this.log('using the PostgreSQL server of DATABASE_URL');
      return { kind: 'external', url: external };
    }
    this.log('starting the embedded PostgreSQL');
    const { process: host, ready } = launchPostgresHost({
      hostEntry: path.join(this.options.libDir, 'postgres-host.js'),
      env: this.options.env,
      cwd: this.options.repoRoot,
      onLine: this.printer('postgres', 0),
    });
    this.postgres = host;
    // Until it is ready, `ready` reports a failure itself (with PostgreSQL's output).
    const info = await ready;
    this.watch(host, 'the embedded PostgreSQL');
    return { kind: 'embedded', url: info.url, dataDir: info.dataDir, passwordFile: info.passwordFile };
  }

  /**
   * Redis: the one at REDIS_URL (default redis://127.0.0.1:6379) if it answers; else, when
   * a redis-server is installed, a private one on a free port with its files in the data
   * folder; else a clear stop. No in-memory stand-in: one code path.
   */
  private async startRedis(): Promise<RedisInfo> {
    const configured = this.options.env.REDIS_URL;
    const url = configured || 'redis://127.0.0.1:6379';
    if (await pingRedis(url)) {
      this.log(`using Redis at ${url}`);
      return { kind: 'external', url };
    }
    if (configured) throw new Error(`REDIS_URL=${configured} does not answer`);
    const bin = findOnPath('redis-server', this.options.env.PATH);
    if (!bin) throw new Error(NO_REDIS_HELP);
    const port = await freePort();
    const dataDir = path.resolve(this.options.repoRoot, this.options.env.ATRIUM_DATA_DIR || '.atrium', 'redis');
    this.log(`no Redis at ${url}: starting ${bin} on port ${port}`);
    const host = ServiceProcess.start({
      name: 'redis',
      entry: path.join(this.options.libDir, 'redis-host.js'),
      env: { ...this.options.env, ATRIUM_REDIS_BIN: bin, ATRIUM_REDIS_PORT: String(port), ATRIUM_REDIS_DIR: dataDir },
      cwd: this.options.repoRoot,
      onLine: this.printer('redis', 0),
    });
    this.redisServer = host;
    this.watch(host, 'the Redis server');
    const started = `redis://127.0.0.1:${port}`;
    for (const deadline = Date.now() + 10_000; !(await pingRedis(started)); ) {
      if (host.hasExited || Date.now() > deadline) throw new Error(`redis-server did not start on port ${port} (its output is above)`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { kind: 'started', url: started, dataDir };
  }

  /**
   * In development, mail goes nowhere real: unless SMTP_URL names a server, a local SMTP
   * server catches what notification sends and writes each message as an .eml file in
   * the data folder (`.atrium/mail`), where any mail client or editor opens it.
   */
  private async startMailCatcher(): Promise<{ url: string; folder: string } | undefined> {
    if (this.options.env.SMTP_URL || !this.services.some((spec) => spec.name === 'notification')) return undefined;
    const folder = path.resolve(this.options.repoRoot, this.options.env.ATRIUM_DATA_DIR || '.atrium', 'mail');
    // Loaded only when notification runs: the runner itself does not depend on it.
    const { startCaptureServer } = await import('./mail-catcher.js');
    const catcher = await startCaptureServer({ port: 0, host: '127.0.0.1', folder });
    this.mailCatcher = catcher;
    return { url: `smtp://127.0.0.1:${catcher.port}`, folder };
  }

  private async startService(spec: ServiceSpec): Promise<void> {
    this.abort.signal.throwIfAborted();
    const startedAt = Date.now();
    const child = ServiceProcess.start({
      name: spec.name,
      entry: spec.entry,
      // parent-watch: the service stops by itself if the runner dies (see that file).
      nodeArgs: ['--enable-source-maps', '--require', path.join(this.options.libDir, 'parent-watch.js')],
      env: spec.env,
      cwd: this.options.repoRoot,
      onLine: this.printer(spec.name, this.services.findIndex((planned) => planned.name === spec.name) + 1),
    });
    if (spec.kind === 'gateway') this.gatewayProcess = child;
    else this.subgraphProcesses.push(child);
    this.watch(child, spec.name);
    await waitUntilReady({
      name: spec.name,
      url: spec.readyUrl,
      timeoutMs: this.options.runnerEnv.readyTimeoutMs,
      exited: child.exited,
      signal: this.abort.signal,
    });
    this.log(`${spec.name} is ready (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
  }

  /** Turns any exit we did not ask for into a full stop with a non-zero code. */
  private watch(child: ServiceProcess, label: string): void {
    void child.exited.then((info) => {
      if (!child.isStopping && !this.isStopping) {
        void this.shutdown(1, `${label} ${describeExit(info)} unexpectedly (its output is above); stopping everything`);
      }
    });
  }

  private printer(name: string, colorIndex: number): (stream: 'stdout' | 'stderr', line: string) => void {
    const tag = this.options.paint.service(colorIndex, padTag(name, this.tagWidth));
    return (stream, line) => (stream === 'stdout' ? process.stdout : process.stderr).write(`${tag} ${line}\n`);
  }

  private log(message: string): void {
    const { paint } = this.options;
    process.stdout.write(`${paint.bold(padTag('atrium', this.tagWidth))} ${message}\n`);
  }
}
