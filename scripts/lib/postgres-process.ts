import type { PostgresHostMessage } from './postgres-host';
import { describeExit, ServiceProcess } from './service-process';

/** The embedded server as seen from the runner. */
export interface EmbeddedPostgresInfo {
  /** Server URL without a database: `postgres://postgres:<password>@127.0.0.1:<port>`. */
  url: string;
  /** The postmaster's pid. */
  pid: number;
  dataDir: string;
  port: number;
  passwordFile: string;
}

/** A started host: its process (stop it to stop the server) and the server's details. */
export interface EmbeddedPostgresHandle extends EmbeddedPostgresInfo {
  process: ServiceProcess;
}

/** Options of {@link launchPostgresHost}. */
export interface StartPostgresHostOptions {
  /** The compiled postgres-host.js. */
  hostEntry: string;
  /** Environment of the host (ATRIUM_DATA_DIR, ATRIUM_PG_PORT are read from it). */
  env: NodeJS.ProcessEnv;
  cwd: string;
  onLine: (stream: 'stdout' | 'stderr', line: string) => void;
}

/**
 * Forks postgres-host.js. `process` is available at once (so a Ctrl-C during start-up
 * can stop it); `ready` resolves once the server accepts connections, or rejects with the
 * host's reason, PostgreSQL's own output included. Stopping `process` shuts the server
 * down, then the host exits.
 */
export function launchPostgresHost(options: StartPostgresHostOptions): {
  process: ServiceProcess;
  ready: Promise<EmbeddedPostgresInfo>;
} {
  const host = ServiceProcess.start({
    name: 'postgres',
    entry: options.hostEntry,
    nodeArgs: ['--enable-source-maps'],
    env: options.env,
    cwd: options.cwd,
    onLine: options.onLine,
  });
  const ready = (async (): Promise<EmbeddedPostgresInfo> => {
    const message = await new Promise<PostgresHostMessage | undefined>((resolve) => {
      host.child.once('message', (received) => resolve(received as PostgresHostMessage));
      void host.exited.then(() => resolve(undefined));
    });
    if (message?.type === 'ready') {
      const { url, pid, dataDir, port, passwordFile } = message;
      return { url, pid, dataDir, port, passwordFile };
    }
    await host.stop();
    if (message?.type === 'failed') throw new Error(message.message);
    throw new Error(`the embedded PostgreSQL host ${describeExit(await host.exited)} before it was ready`);
  })();
  return { process: host, ready };
}

/** {@link launchPostgresHost}, resolved once the server is ready. */
export async function startPostgresHost(options: StartPostgresHostOptions): Promise<EmbeddedPostgresHandle> {
  const { process: host, ready } = launchPostgresHost(options);
  return { ...(await ready), process: host };
}
