import { serveMetrics } from '@atrium/kit';
import type { SubgraphFetch } from '../fetch/subgraph-fetch';
import type { RequestProtection } from '../http/request-protection';
import type { GatewayModule } from '../module';
import { dashboard } from './dashboard';
import { trafficHistory } from './dashboard-traffic';
import { createDependencyStatus } from './readiness';

/**
 * What operators and orchestrators read: `/health` (the process works), `/ready` (this
 * process can serve: every module ready and not draining — never a subgraph's or Redis's
 * state), `/status` (that, plus every dependency: subgraphs, their circuits, Redis),
 * Prometheus `/metrics` (dependency states included), and the `/dashboard` page.
 */
export function operations(fetch: Pick<SubgraphFetch, 'urls' | 'circuits'>, protection: Pick<RequestProtection, 'redisStatus'>): GatewayModule {
  return {
    name: 'operations',
    async start(host) {
      const { config, metrics } = host;
      // The dashboard's requests-per-second and error-ratio chart, from this gateway's counter.
      const traffic = trafficHistory(metrics.registry);
      const dependencies = createDependencyStatus(fetch.urls, { circuits: fetch.circuits, redis: protection.redisStatus });
      metrics.watchDependencies(async () => {
        const { subgraphs, redis } = await dependencies();
        return { ...subgraphs, ...(redis ? { redis } : {}) };
      });
      return {
        routes(app) {
          app.get('/health', (_req, res) => void res.json({ status: 'ok', service: 'gateway' }));
          app.get('/ready', (_req, res) => {
            const report = host.readiness();
            res.status(report.ready ? 200 : 503).json(report);
          });
          app.get('/status', async (_req, res) => void res.json({ service: 'gateway', ...host.readiness(), ...(await dependencies()) }));
          app.get('/metrics', serveMetrics(metrics.registry));
          app.use('/dashboard', dashboard(undefined, { traffic, identify: async (req, res) => (await host.context(req, res)).caller ?? null }));
          app.get('/', (_req, res) => res.redirect(config.NODE_ENV === 'production' ? '/health' : '/graphql'));
        },
        close: () => traffic.close(),
      };
    },
  };
}
