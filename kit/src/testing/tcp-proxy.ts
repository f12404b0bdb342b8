import { createConnection, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of a server (PostgreSQL, say) that a test can turn into a black hole:
 * connections stay open but nothing passes either way, as with a database that hangs or a
 * network that drops packets — which a refused connection does not show.
 */
export interface TcpProxy {
  port: number;
  /** `true`: nothing passes on open connections and new ones get no answer; `false`: traffic flows again. */
  blackhole(on: boolean): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let holed = false;
  const pairs = new Set<[Socket, Socket]>();
  const flow = ([client, upstream]: [Socket, Socket]) => {
    if (holed) {
      client.pause();
      upstream.pause();
    } else {
      client.resume();
      upstream.resume();
    }
  };
  const server = createServer((client) => {
    const upstream = createConnection(target);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    // Data already read while a black hole is switched on is held back, not delivered.
    client.on('data', (chunk) => (holed ? client.unshift(chunk) : upstream.write(chunk)));
    upstream.on('data', (chunk) => (holed ? upstream.unshift(chunk) : client.write(chunk)));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
    flow(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    blackhole(on) {
      holed = on;
      for (const pair of pairs) flow(pair);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [client, upstream] of pairs) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
