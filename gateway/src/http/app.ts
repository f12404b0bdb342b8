import express, { type Express } from 'express';
import { createServer, type Server } from 'node:http';
import type { GatewayConfig } from '../config';

/** The gateway's Express app and the HTTP server it runs on (WebSocket upgrades arrive there too), not listening yet. */
export function createHttpApp(config: Pick<GatewayConfig, 'TRUST_PROXY'>): { app: Express; httpServer: Server } {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  return { app, httpServer: createServer(app) };
}
