import type { MikroORM } from '@mikro-orm/postgresql';
import type { Express } from 'express';
import type { Module } from '../../lifecycle';
import { serveMetrics, type Metrics } from '../../metrics';
import type { Redis } from '../../redis';
import { serveProbes } from '../readiness';

/** Routes mounted on the subgraph's HTTP server, before GraphQL. */
export type Routes = (app: Express) => void;

/** What operators read: `/health`, `/ready` and `/status` (see readiness.ts) and Prometheus `/metrics`. */
export const ops = (options: { name: string; orm: MikroORM; redis: Redis; metrics: Metrics }): Module<Routes> => ({
  name: 'ops',
  start: () => (app) => {
    serveProbes(app, options);
    app.get('/metrics', serveMetrics(options.metrics.registry));
  },
});
