import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { commandLineOf, isAlive, parentPidOf, terminatePid } from './process-tools';

/** The fields of a `postmaster.pid` lock file that matter to us. */
export interface PostmasterLock {
  pid: number;
  dataDir: string;
  port: number | undefined;
}

/**
 * Parses PostgreSQL's `postmaster.pid` (line 1 the pid, line 2 the data directory,
 * line 4 the port). Returns undefined for an empty or garbled file, which PostgreSQL
 * itself treats as stale.
 */
export function parsePostmasterPid(text: string): PostmasterLock | undefined {
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const port = Number(lines[3]);
  return { pid, dataDir: lines[1] ?? '', port: Number.isInteger(port) && port > 0 ? port : undefined };
}

/** What {@link clearStalePostmaster} found and did. */
export type StaleOutcome =
  | { kind: 'none' }
  | { kind: 'removed-stale-file'; pid: number }
  | { kind: 'stopped-orphan'; pid: number; signal: NodeJS.Signals | undefined };

/** Options of {@link clearStalePostmaster}. */
export interface ClearStaleOptions {
  /**
   * The pid of the process that owns the server, as recorded by the last start (see
   * embedded-postgres.ts). A postmaster whose parent is that live process belongs to a
   * run that is still going: we refuse to touch it rather than pull the database from
   * under it.
   */
  ownerPid?: number;
  /** Time given to each shutdown signal. */
  graceMs?: number;
}

/**
 * Makes a data directory startable after a previous run was killed without stopping its
 * server (SIGKILL, crash, closed terminal).
 *
 * PostgreSQL refuses to start while `postmaster.pid` names a live process, and after a
 * SIGKILL of its parent the postmaster lives on, orphaned. When the file names a live
 * postgres serving this very data directory whose owner is gone, we stop it: SIGINT
 * (fast shutdown: disconnects clients — SIGTERM's "smart" mode would wait for them
 * forever), then SIGQUIT (immediate shutdown, which also reaps its backends), then
 * SIGKILL. When the pid is dead or is some unrelated process that reused the number, the
 * file is stale and we remove it.
 */
export async function clearStalePostmaster(dataDir: string, options: ClearStaleOptions = {}): Promise<StaleOutcome> {
  const file = path.join(dataDir, 'postmaster.pid');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { kind: 'none' };
  }
  const lock = parsePostmasterPid(text);
  if (!lock || !isAlive(lock.pid) || !isPostgresOf(lock.pid, dataDir)) {
    rmSync(file, { force: true });
    return { kind: 'removed-stale-file', pid: lock?.pid ?? 0 };
  }
  const { ownerPid } = options;
  if (ownerPid !== undefined && isAlive(ownerPid) && parentPidOf(lock.pid) === ownerPid) {
    throw new Error(
      `the PostgreSQL server in ${dataDir} (pid ${lock.pid}) is in use by process ${ownerPid} ` +
        '(another `npm start`?): stop that one first, or set ATRIUM_DATA_DIR to use another data folder',
    );
  }
  const graceMs = options.graceMs ?? 10_000;
  const signal = await terminatePid(lock.pid, ['SIGINT', 'SIGQUIT', 'SIGKILL'], graceMs);
  // A clean shutdown removes the file itself; after SIGKILL it is left behind.
  rmSync(file, { force: true });
  return { kind: 'stopped-orphan', pid: lock.pid, signal };
}

/** True when `pid` runs a `postgres` binary with `-D <dataDir>`. */
export function isPostgresOf(pid: number, dataDir: string): boolean {
  const argv = commandLineOf(pid);
  if (!argv || argv.length === 0) return false;
  if (path.basename(argv[0]) !== 'postgres') return false;
  const wanted = path.resolve(dataDir);
  const at = argv.indexOf('-D');
  if (at >= 0 && argv[at + 1] !== undefined) return path.resolve(argv[at + 1]) === wanted;
  // `ps` output (no /proc) splits a path containing spaces: fall back to a substring test.
  return argv.join(' ').includes(`-D ${wanted}`);
}
