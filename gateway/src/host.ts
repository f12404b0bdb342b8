import type { ApolloServerPlugin } from '@apollo/server';
import { listen, startModules, type HttpService, type Logger } from '@atrium/kit';
import type { Express } from 'express';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import proxyAddr from 'proxy-addr';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import type { DirectRoute } from '@atrium/kit';
import type { Contribution, GatewayModule, Host } from './module';
import type { GatewayMetrics } from './ops/metrics';
import { createReadiness } from './ops/readiness';
import { tracing } from './ops/tracing';

/** Starts a gateway module, registers what it contributes, and resolves to it. */
export type UseGatewayModule = <Provides extends object>(module: GatewayModule<Provides>) => Promise<Contribution & Provides>;

/**
 * What the gateway's modules run in: kit's lifecycle (`startModules`: started in order,
 * closed in reverse, every one even if one fails to close, and those started closed again
 * when a later one fails to start) plus what the gateway's modules contribute to — its
 * Express app (routes), Apollo Server (plugins), each request's context, `/ready` — and
 * its HTTP server, which listens once every module has started.
 */
export class GatewayHost implements Host {
  readonly config: GatewayConfig;
  readonly log: Logger;
  readonly metrics: GatewayMetrics;
  readonly httpServer: Server;
  private readonly app: Express;
  private readonly direct: DirectRoute[];
  private readonly contributions: Contribution[] = [];
  private readonly contexts: NonNullable<Contribution['context']>[] = [];
  private draining = false;
  readonly readiness = createReadiness({
    loaded: () => this.contributions.every((contribution) => contribution.ready?.() ?? true),
    draining: () => this.draining,
  });

  constructor(base: { config: GatewayConfig; log: Logger; metrics: GatewayMetrics; app: Express; httpServer: Server; direct: DirectRoute[] }) {
    this.config = base.config;
    this.log = base.log;
    this.metrics = base.metrics;
    this.app = base.app;
    this.httpServer = base.httpServer;
    this.direct = base.direct;
  }

  plugins(): ApolloServerPlugin<GatewayContext>[] {
    return this.contributions.flatMap((contribution) => contribution.plugins ?? []);
  }

  async context(req: IncomingMessage, res: ServerResponse): Promise<Partial<GatewayContext>> {
    const context: Partial<GatewayContext> = {};
    for (const part of this.contexts) Object.assign(context, await part(req, res));
    return context;
  }

  clientIp(req: IncomingMessage): string | undefined {
    // Express's own compiled TRUST_PROXY (`trust proxy fn`), as its `req.ip` applies it.
    return proxyAddr(req, this.app.get('trust proxy fn') as (addr: string, i: number) => boolean);
  }

  /**
   * Starts the modules `build` uses, in order, then listens on PORT; resolves to what
   * `build` returns, the HTTP service, and `close()` (once: later calls wait for the first).
   * A module that fails to start, or a port that is taken, closes the modules already
   * started before the error is rethrown: a start that fails half-way leaves nothing open.
   */
  serve<T extends object>(build: (use: UseGatewayModule) => Promise<T>): Promise<T & HttpService> {
    return startModules(this.log, async (use) => {
      let service: HttpService | undefined;
      const useModule: UseGatewayModule = async (module) => {
        const contribution = await use({ name: module.name, start: () => module.start(this), close: (started) => started.close?.() });
        this.contributions.push(contribution);
        if (contribution.context) this.contexts.push(contribution.context);
        contribution.routes?.(this.app);
        if (contribution.direct) this.direct.push(contribution.direct);
        return contribution;
      };
      // Tracing before anything (a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set): its server span
      // is the first route, and it closes last, exporting the spans of the requests drained meanwhile.
      await useModule(tracing());
      // Started first, closed last: what draining left open (connections never idle) is cut once every module has closed.
      await use({ name: 'HTTP server', start: () => undefined, close: () => service?.close() });
      const built = await build(useModule);
      // Started last, closed first: `/ready` answers 503 from the moment the gateway begins to close.
      await use({ name: 'readiness', start: () => undefined, close: () => void (this.draining = true) });
      service = await listen(this.httpServer, { port: this.config.PORT, host: this.config.HOST, log: this.log, name: 'gateway' });
      return { ...built, ...service };
    });
  }
}
