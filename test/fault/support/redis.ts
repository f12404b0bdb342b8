import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findOnPath, pingRedis } from '../../../scripts/lib/redis-server';
import { tierEnv } from '../../support/env';
import { tail } from './paths';

/**
 * A private `redis-server` on a port of its own, with its append-only file in a folder of
 * its own, so it can be killed with SIGKILL and started again on the same port — keeping
 * its data (the append-only file is replayed) or losing it all (a new, empty folder), as a
 * managed Redis does on a failover without persistence. Never the machine's shared Redis.
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private generation = 0;
  private dataDir: string;
  private readonly logFile: string;
  private readonly bin: string;

  private constructor(
    private readonly folder: string,
    readonly port: number,
  ) {
    const bin = findOnPath('redis-server', tierEnv.inherited.PATH);
    if (!bin) throw new Error('the fault tier needs redis-server on PATH (apt-get install redis-server)');
    this.bin = bin;
    this.dataDir = this.nextDataDir();
    this.logFile = path.join(folder, 'redis.log');
  }

  static async start(folder: string, port: number): Promise<PrivateRedis> {
    const redis = new PrivateRedis(folder, port);
    await redis.launch();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** SIGKILL: no shutdown, no final save; what the append-only file already holds survives. */
  async kill(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGKILL at once, synchronously: for a test process that is exiting without its afterAll. */
  killNow(): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /** Starts it again on the same port: with its data (`keep`), or empty from a new folder. */
  async restart({ keepData }: { keepData: boolean }): Promise<void> {
    if (!keepData) this.dataDir = this.nextDataDir();
    await this.launch();
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    await Promise.race([this.exited, sleep(5_000, undefined, { ref: false })]);
    await this.kill();
  }

  private nextDataDir(): string {
    const dir = path.join(this.folder, `redis-data-${++this.generation}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  private async launch(): Promise<void> {
    const log = openSync(this.logFile, 'a');
    const child = spawn(
      this.bin,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', this.dataDir, '--daemonize', 'no'],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let gone = false;
    void this.exited.then(() => (gone = true));
    for (const deadline = Date.now() + 30_000; !(await pingRedis(this.url)); ) {
      if (gone) throw new Error(`redis-server exited at start on port ${this.port}:\n${tail(this.logFile)}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${this.port} within 30 s:\n${tail(this.logFile)}`);
      await sleep(100);
    }
  }
}
