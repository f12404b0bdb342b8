import express, { type Express } from 'express';
import { createServer, type Server } from 'node:http';
import type { GatewayConfig } from '../config';
import type { DirectRoute } from '@atrium/kit';

/**
 * The gateway's Express app and the HTTP server it runs on (WebSocket upgrades arrive there
 * too), not listening yet. Each request is offered to the `direct` routes first (in order;
 * the modules add them), then to Express.
 */
export function createHttpApp(config: Pick<GatewayConfig, 'TRUST_PROXY'>): { app: Express; httpServer: Server; direct: DirectRoute[] } {
  const app = express();
  app.disable('x-powered-by');
  // No ETag on every response: Express hashes each body to make one (SHA-1 over every GraphQL
  // answer), which no GraphQL client sends back; the dashboard's static files get theirs from
  // express.static, which does not read this setting.
  app.set('etag', false);
  app.set('trust proxy', config.TRUST_PROXY);
  const direct: DirectRoute[] = [];
  const httpServer = createServer((req, res) => {
    for (const route of direct) if (route(req, res)) return;
    app(req, res);
  });
  return { app, httpServer, direct };
}
