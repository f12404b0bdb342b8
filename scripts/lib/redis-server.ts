import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';

/** Whether a Redis answers PING at `url` within `timeoutMs` (no client library, no retries). */
export function pingRedis(url: string, timeoutMs = 1_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG') || data.toString().startsWith('-NOAUTH')));
  });
}

/** The path of an executable on `envPath` (a PATH value, the runner's), or undefined. */
export function findOnPath(name: string, envPath: string | undefined): string | undefined {
  for (const dir of (envPath ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const NO_REDIS_HELP =
  'Atrium needs Redis (events and jobs). None answers at redis://127.0.0.1:6379 and no redis-server is installed.\n' +
  '  Install one:  sudo apt-get install redis-server   |   brew install redis\n' +
  '  or run it:    docker compose up -d redis\n' +
  '  or point REDIS_URL at a Redis you have.';
