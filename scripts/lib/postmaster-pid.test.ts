import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clearStalePostmaster, isPostgresOf, parsePostmasterPid } from './postmaster-pid';

// What PostgreSQL 18 writes (pid, data dir, start time, port, socket dir, listen address,
// shared memory key, status).
const LOCK = '8537\n/tmp/pg/postgres\n1795357226\n54399\n\n127.0.0.1\n  2146687        10\nready   \n';

describe('parsePostmasterPid', () => {
  it('reads the pid, data directory and port', () => {
    expect(parsePostmasterPid(LOCK)).toEqual({ pid: 8537, dataDir: '/tmp/pg/postgres', port: 54399 });
  });

  it('treats an empty or garbled file as no lock', () => {
    expect(parsePostmasterPid('')).toBeUndefined();
    expect(parsePostmasterPid('not a pid\n')).toBeUndefined();
    expect(parsePostmasterPid('-3\n')).toBeUndefined();
  });
});

describe('clearStalePostmaster', () => {
  let dataDir: string;
  const lockFile = (): string => path.join(dataDir, 'postmaster.pid');

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'atrium-pidfile-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('does nothing when there is no lock file', async () => {
    await expect(clearStalePostmaster(dataDir)).resolves.toEqual({ kind: 'none' });
  });

  it('removes a lock file whose process is gone', async () => {
    // Pids are below 2^22 on Linux; this one cannot exist.
    writeFileSync(lockFile(), LOCK.replace('8537', '99999999'));
    await expect(clearStalePostmaster(dataDir)).resolves.toEqual({ kind: 'removed-stale-file', pid: 99999999 });
    expect(existsSync(lockFile())).toBe(false);
  });

  it('removes a lock file whose pid now belongs to an unrelated process, leaving that process alone', async () => {
    writeFileSync(lockFile(), LOCK.replace('8537', String(process.pid)));
    await expect(clearStalePostmaster(dataDir)).resolves.toEqual({ kind: 'removed-stale-file', pid: process.pid });
    expect(existsSync(lockFile())).toBe(false);
  });

  it('removes a garbled lock file', async () => {
    writeFileSync(lockFile(), 'garbage');
    await expect(clearStalePostmaster(dataDir)).resolves.toMatchObject({ kind: 'removed-stale-file' });
  });
});

describe('isPostgresOf', () => {
  it('does not mistake another process for a postgres server', () => {
    expect(isPostgresOf(process.pid, '/tmp/pg/postgres')).toBe(false);
    expect(isPostgresOf(99999999, '/tmp/pg/postgres')).toBe(false);
  });
});
