import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from '@atrium/kit/testing';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startPostgresHost, type EmbeddedPostgresHandle } from './postgres-process';
import { parsePostmasterPid } from './postmaster-pid';
import { isAlive, terminatePid, waitForExit } from './process-tools';
import { findRepoRoot } from './repo-root';
import { transpileScripts, type TranspiledScripts } from './testing/transpile-scripts';

// Each case starts a real PostgreSQL (about a second once the cluster exists).
jest.setTimeout(30_000);

const repoRoot = findRepoRoot(__dirname);
let scripts: TranspiledScripts;
let dataRoot: string;
let dataDir: string;
let env: NodeJS.ProcessEnv;
const started: EmbeddedPostgresHandle[] = [];

beforeAll(async () => {
  scripts = transpileScripts(repoRoot);
  dataRoot = mkdtempSync(path.join(tmpdir(), 'atrium-pg-'));
  // mkdtemp makes it 0700; as root the server runs as `postgres` and must get through.
  chmodSync(dataRoot, 0o755);
  dataDir = path.join(dataRoot, 'postgres');
  env = { ...process.env, ATRIUM_DATA_DIR: dataRoot, ATRIUM_PG_PORT: String(await freePort()) };
});

afterAll(async () => {
  await Promise.all(started.map((handle) => handle.process.stop()));
  // Whatever a failed case left running.
  const lock = postmasterLock();
  if (lock && isAlive(lock.pid)) await terminatePid(lock.pid, ['SIGQUIT', 'SIGKILL'], 5_000);
  rmSync(dataRoot, { recursive: true, force: true });
  scripts.remove();
});

async function startHost(): Promise<EmbeddedPostgresHandle> {
  const output: string[] = [];
  const handle = await startPostgresHost({
    hostEntry: scripts.lib('postgres-host.ts'),
    env,
    cwd: repoRoot,
    onLine: (_stream, line) => output.push(line),
  }).catch((error: Error) => {
    throw new Error(`${error.message}\n--- host output ---\n${output.join('\n')}`);
  });
  started.push(handle);
  return handle;
}

async function selectOne(url: string): Promise<number> {
  const client = new Client({ connectionString: `${url}/postgres` });
  await client.connect();
  try {
    const result = await client.query('select 1 as one');
    return result.rows[0].one;
  } finally {
    await client.end();
  }
}

function postmasterLock(): ReturnType<typeof parsePostmasterPid> {
  const file = path.join(dataDir, 'postmaster.pid');
  return existsSync(file) ? parsePostmasterPid(readFileSync(file, 'utf8')) : undefined;
}

describe('embedded PostgreSQL for the dev runner', () => {
  it('initialises a fresh data folder, answers select 1 and stops without leaving a server behind', async () => {
    const pg = await startHost();
    expect(await selectOne(pg.url)).toBe(1);
    expect(readFileSync(`${dataDir}.password`, 'utf8').trim()).not.toBe('');

    const exit = await pg.process.stop();

    expect(exit.code).toBe(0);
    expect(isAlive(pg.pid)).toBe(false);
    expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
  });

  it('starts cleanly after a previous run was SIGKILLed and left its server running', async () => {
    const previous = await startHost();
    // SIGKILL the host alone: it gets no chance to stop its server, which lives on.
    previous.process.child.kill('SIGKILL');
    await previous.process.exited;
    expect(isAlive(previous.pid)).toBe(true);
    expect(postmasterLock()?.pid).toBe(previous.pid);

    const next = await startHost();

    expect(next.pid).not.toBe(previous.pid);
    expect(await waitForExit(previous.pid, 5_000)).toBe(true);
    expect(await selectOne(next.url)).toBe(1);
    await next.process.stop();
  });

  it('starts cleanly when postmaster.pid names a process that no longer exists', async () => {
    const previous = await startHost();
    previous.process.child.kill('SIGKILL');
    await previous.process.exited;
    // Kill the orphaned postmaster too: only the lock file remains, naming a dead pid.
    process.kill(previous.pid, 'SIGKILL');
    await waitForExit(previous.pid, 5_000);
    expect(postmasterLock()?.pid).toBe(previous.pid);

    const next = await startHost();

    expect(await selectOne(next.url)).toBe(1);
    await next.process.stop();
  });

  it('stops its server when the runner goes away, whatever killed the runner', async () => {
    const pg = await startHost();
    // What the kernel does to the IPC channel when the runner dies, even by SIGKILL.
    pg.process.child.disconnect();

    const exit = await pg.process.exited;

    expect(exit.code).toBe(0);
    expect(await waitForExit(pg.pid, 5_000)).toBe(true);
  });

  it('refuses to take over a server whose runner is still running', async () => {
    const first = await startHost();

    await expect(startHost()).rejects.toThrow(/in use by process \d+/);

    expect(await selectOne(first.url)).toBe(1);
    await first.process.stop();
  });
});
