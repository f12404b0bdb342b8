/**
 * The process that runs the embedded PostgreSQL for the dev runner (forked by
 * postgres-process.ts; also runnable by hand: `node dist/scripts/lib/postgres-host.js`
 * runs the dev server in the foreground until Ctrl-C).
 *
 * Why a process of its own: the server inherits this process's group, which the runner
 * detaches from the terminal, so a Ctrl-C reaches the runner only and the database goes
 * down last, after the services that use it. And when the runner dies, even by SIGKILL,
 * this process sees its IPC channel close and stops the server cleanly instead of
 * leaving an orphan holding the data directory.
 *
 * Configuration: ATRIUM_DATA_DIR, ATRIUM_PG_PORT (see embedded-postgres.ts).
 */
import { embeddedPostgresSettings, startEmbeddedPostgres, type EmbeddedPostgresServer } from './embedded-postgres';
import { isAlive } from './process-tools';
import { findRepoRoot } from './repo-root';

/** What the host tells its parent over IPC, once. */
export type PostgresHostMessage =
  | { type: 'ready'; url: string; pid: number; dataDir: string; port: number; passwordFile: string }
  | { type: 'failed'; message: string };

// Server output worth showing while running; the rest (checkpoints, connection logs and
// every SQL error a test provokes on purpose) is only kept for start-up failures.
const SHOWN = /\b(FATAL|PANIC)\b/;

async function main(): Promise<void> {
  let server: EmbeddedPostgresServer | undefined;
  let stopRequested = false;
  let stopping = false;
  const stop = (): void => {
    stopRequested = true;
    // While initdb or the server is starting, stopping would leave it half done: main()
    // stops the server as soon as it is up instead.
    if (!server || stopping) return;
    stopping = true;
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`could not stop PostgreSQL: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop);
  // The runner is gone (exited or killed): nobody will ask us to stop, so stop now.
  process.on('disconnect', stop);

  // Start-up failures are reported whole, with the output; afterwards only what matters.
  let running = false;
  try {
    const settings = embeddedPostgresSettings(process.env, findRepoRoot(__dirname));
    server = await startEmbeddedPostgres({
      ...settings,
      onLog: (line) => {
        if (running && SHOWN.test(line)) process.stderr.write(`${line}\n`);
      },
      notice: (message) => process.stdout.write(`${message}\n`),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // With a parent, the parent reports it (once); by hand, we do.
    if (!process.send) process.stderr.write(`${message}\n`);
    send({ type: 'failed', message }, () => process.exit(1));
    return;
  }
  if (stopRequested) return stop();
  running = true;

  // A server that dies under us (killed, out of disk) ends this process too, so the runner
  // sees it go. The library keeps its child process private, hence polling the pid.
  const { pid } = server;
  setInterval(() => {
    if (stopping || isAlive(pid)) return;
    stopping = true;
    process.stderr.write(`PostgreSQL (pid ${pid}) exited unexpectedly\n`);
    void server?.stop().finally(() => process.exit(1));
  }, 1_000).unref();

  const ready: PostgresHostMessage = {
    type: 'ready',
    url: server.url,
    pid,
    dataDir: server.dataDir,
    port: server.port,
    passwordFile: server.passwordFile,
  };
  if (process.send) send(ready);
  else process.stdout.write(`PostgreSQL is ready at ${server.url} (Ctrl-C stops it)\n`);
}

function send(message: PostgresHostMessage, then?: () => void): void {
  if (process.send && process.connected) process.send(message, undefined, {}, () => then?.());
  else then?.();
}

if (require.main === module) void main();
