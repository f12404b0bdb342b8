import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { waitUntilReady } from '../../../scripts/lib/readiness';
import { describeExit, ServiceProcess } from '../../../scripts/lib/service-process';
import type { PlannedService } from './environment';
import { REPO_ROOT, tail } from './paths';

/** How long one service may take to become ready on a busy 2-core machine. */
const READY_TIMEOUT_MS = 120_000;

/**
 * Every subgraph and the gateway as a Node.js process of its own, started from dist/ the
 * way the dev runner starts them (with an IPC channel, so each stops by itself if the test
 * process dies). Each can be killed with SIGKILL and started again on its port; output is
 * appended to `<logDir>/<name>.log` across restarts.
 */
export class Services {
  private readonly running = new Map<string, ServiceProcess>();
  private readonly logs = new Map<string, WriteStream>();
  /** Processes we killed or stopped ourselves: their exit is no crash. */
  private readonly expected = new WeakSet<ServiceProcess>();
  /** Exits nobody asked for (a crash, not one of our kills): a scenario fails on them. */
  readonly crashes: string[] = [];

  constructor(
    private readonly plans: readonly PlannedService[],
    private readonly logDir: string,
  ) {
    const missing = plans.filter((p) => !existsSync(path.join(REPO_ROOT, p.entry)));
    if (missing.length) throw new Error(`not built: ${missing.map((p) => p.entry).join(', ')} — run \`npm run build:ts\` first`);
  }

  get names(): string[] {
    return this.plans.map((p) => p.name);
  }

  port(name: string): number {
    return this.plan(name).port;
  }

  /** The gateway's GraphQL endpoint. */
  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.port('gateway')}/graphql`;
  }

  /** Starts the subgraphs side by side, then the gateway (whose readiness needs them). */
  async startAll(): Promise<void> {
    await Promise.all(this.plans.filter((p) => p.name !== 'gateway').map((p) => this.start(p.name)));
    await this.start('gateway');
  }

  /** Starts one service and waits for its `/ready`. */
  async start(name: string): Promise<void> {
    const plan = this.plan(name);
    if (this.running.get(name)?.hasExited === false) throw new Error(`${name} is already running`);
    const log = this.logFor(name);
    const child = ServiceProcess.start({
      name,
      entry: path.join(REPO_ROOT, plan.entry),
      nodeArgs: ['--enable-source-maps'],
      env: plan.env,
      cwd: REPO_ROOT,
      onLine: (_stream, line) => log.write(`${line}\n`),
    });
    this.running.set(name, child);
    void child.exited.then((info) => {
      if (!this.expected.has(child) && !child.isStopping) this.crashes.push(`${name} ${describeExit(info)}`);
    });
    try {
      await waitUntilReady({ name, url: `http://127.0.0.1:${plan.port}/ready`, timeoutMs: READY_TIMEOUT_MS, exited: child.exited });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- ${name}.log ---\n${this.tail(name)}`);
    }
  }

  /** kill -9 of one service: no shutdown hook runs, in-flight work is cut where it stands. */
  async kill(name: string): Promise<void> {
    const child = this.running.get(name);
    if (!child || child.hasExited) throw new Error(`${name} is not running`);
    this.expected.add(child);
    child.signal('SIGKILL');
    await child.exited;
  }

  /**
   * SIGSTOP: the process is frozen where it stands (as a long GC pause or a starved CPU
   * would freeze it), its connections open but unanswered; {@link resume} lets it go on.
   */
  pause(name: string): void {
    this.running.get(name)?.signal('SIGSTOP');
  }

  resume(name: string): void {
    this.running.get(name)?.signal('SIGCONT');
  }

  /** Stops every service (SIGTERM, SIGKILL after a grace period): the gateway first. */
  async stopAll(): Promise<void> {
    // A paused process would not act on SIGTERM until continued.
    for (const name of this.running.keys()) this.resume(name);
    await this.running.get('gateway')?.stop(5_000);
    await Promise.all([...this.running.entries()].filter(([name]) => name !== 'gateway').map(([, child]) => child.stop(8_000)));
    await Promise.all([...this.logs.values()].map((log) => new Promise((resolve) => log.end(resolve))));
  }

  tail(name: string, lines = 40): string {
    return tail(path.join(this.logDir, `${name}.log`), lines);
  }

  private plan(name: string): PlannedService {
    const plan = this.plans.find((p) => p.name === name);
    if (!plan) throw new Error(`no service named ${name}`);
    return plan;
  }

  private logFor(name: string): WriteStream {
    let log = this.logs.get(name);
    if (!log) {
      log = createWriteStream(path.join(this.logDir, `${name}.log`), { flags: 'a' });
      this.logs.set(name, log);
    }
    return log;
  }
}
