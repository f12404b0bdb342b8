import type { ErrorRequestHandler } from 'express';
import { createServer } from 'node:net';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ErrorCode } from './errors';

export interface HttpService {
  httpServer: Server;
  /** The port actually bound (useful with port 0). */
  port: number;
  /** Base URL, e.g. http://127.0.0.1:4002 */
  url: string;
  close(): Promise<void>;
}

/**
 * Listens with an 'error' handler, so a taken port fails fast with a clear message
 * instead of hanging start-up (a pitfall of shared HTTP + WebSocket servers).
 */
export function listen(httpServer: Server, options: { port: number; host: string; log: Logger; name: string }): Promise<HttpService> {
  // Keep-alive longer than typical proxy idle timeouts, so gateways reuse connections.
  httpServer.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`${options.name}: port ${options.port} on ${options.host} is already in use (set PORT to another port)`)
          : err,
      );
    };
    httpServer.once('error', onError);
    httpServer.listen(options.port, options.host, () => {
      httpServer.off('error', onError);
      const { port } = httpServer.address() as AddressInfo;
      const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      options.log.info({ url }, `${options.name} listening`);
      resolve({
        httpServer,
        port,
        url,
        close: () =>
          new Promise<void>((done) => {
            httpServer.closeAllConnections?.();
            httpServer.close(() => done());
          }),
      });
    });
  });
}

/** A port free on 127.0.0.1 right now, for a process that cannot be told to use port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The last error handler of a service's routes: a request whose body cannot be read
 * (malformed JSON, an unknown charset, too large) is a 4xx with a GraphQL-shaped error,
 * never Express's HTML page with its stack trace; anything else is logged and a bare 500.
 */
export function jsonErrors(log: Logger): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    const { status, type } = err as { status?: unknown; type?: unknown };
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const tooLarge = type === 'entity.too.large';
      res.status(status).json({
        errors: [{ message: tooLarge ? 'Request body too large' : 'Malformed request body', extensions: { code: tooLarge ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.BAD_REQUEST } }],
      });
      return;
    }
    log.error({ err }, 'unexpected error in an HTTP handler');
    res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] });
  };
}
