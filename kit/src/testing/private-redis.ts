import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../http';

/**
 * A `redis-server` of one test's own, on a free port, that the test may kill -9, wipe and
 * restart — never the shared one on 6379. `restart({ keepData: false })` brings it back on
 * the same port with an empty data folder, as a managed Redis failover without persistence
 * would.
 */
export interface PrivateRedis {
  url: string;
  port: number;
  /** kill -9: no shutdown, no final save. */
  kill(): Promise<void>;
  /** Starts it again on the same port, with what it had written to disk or empty. */
  restart(options: { keepData: boolean }): Promise<void>;
  /** Kills it and removes its files (afterAll). */
  stop(): Promise<void>;
}

export async function startPrivateRedis(options: { appendonly?: boolean } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  let dir = mkdtempSync(path.join(tmpdir(), 'atrium-redis-'));
  const dirs = [dir];
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', options.appendonly ? 'yes' : 'no', '--appendfsync', 'always', '--dir', dir],
      { stdio: 'ignore' },
    );
    const exited = new Promise<never>((_, reject) => child!.once('exit', (code) => reject(new Error(`redis-server on ${port} exited with ${code}`))));
    exited.catch(() => undefined);
    await Promise.race([waitForPong(port), exited]);
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode) return;
    const gone = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await gone;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    async restart({ keepData }) {
      await kill();
      if (!keepData) {
        dir = mkdtempSync(path.join(tmpdir(), 'atrium-redis-'));
        dirs.push(dir);
      }
      await launch();
    },
    async stop() {
      await kill();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** Resolves once a Redis on `port` answers PING (polling: it takes a moment to load its data). */
async function waitForPong(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      const done = (value: boolean) => {
        socket.destroy();
        resolve(value);
      };
      socket.setTimeout(1_000, () => done(false));
      socket.once('error', () => done(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer PING within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
