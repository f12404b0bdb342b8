import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '@atrium/kit';
import type { Express } from 'express';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import type { DirectRoute } from '@atrium/kit';
import type { GatewayMetrics } from './ops/metrics';
import type { Readiness } from './ops/readiness';

/** What every module is started with: the gateway's settings, and what all of its stages share. */
export interface Host {
  readonly config: GatewayConfig;
  readonly log: Logger;
  /** Every stage records into them; served at `/metrics`. */
  readonly metrics: GatewayMetrics;
  /** The server HTTP requests and WebSocket upgrades arrive on; it listens once every module has started. */
  readonly httpServer: Server;
  /** The Apollo Server plugins of the modules started so far, in start order. */
  plugins(): ApolloServerPlugin<GatewayContext>[];
  /** The parts of an HTTP request's context that the modules started contribute, merged in start order. */
  context(req: IncomingMessage, res: ServerResponse): Promise<Partial<GatewayContext>>;
  /** The caller's address, through TRUST_PROXY: Express's `req.ip`, for a request Express does not see. */
  clientIp(req: IncomingMessage): string | undefined;
  /** `/ready`: every module can serve, and the gateway is not draining. */
  readiness(): Readiness;
}

/** What a started module adds to the gateway; every part is optional. */
export interface Contribution {
  /** Mounts its HTTP routes on the gateway's Express app, as soon as it has started. */
  routes?(app: Express): void;
  /** Takes the requests it can answer before Express sees them (kit's http-direct.ts), as soon as it has started. */
  direct?: DirectRoute;
  /** Apollo Server plugins, for the GraphQL endpoint (a module started after it). */
  plugins?: readonly ApolloServerPlugin<GatewayContext>[];
  /** Its part of each HTTP request's context; may throw (a token that does not verify: 401). */
  context?(req: IncomingMessage, res: ServerResponse): Partial<GatewayContext> | Promise<Partial<GatewayContext>>;
  /** Whether it can serve (checked by `/ready` on every probe). */
  ready?(): boolean;
  /**
   * Undoes `start`. Called once: when the gateway closes, or when a module started after
   * this one fails to start — modules are closed in the reverse of their start order.
   */
  close?(): Promise<void> | void;
}

/**
 * One feature of the gateway, with one lifecycle — kit's `Module` (lifecycle.ts), started
 * with the host: `start` resolves to what it contributes (its `close` included), plus
 * `Provides`, what it gives the modules started after it (which take it as arguments). A
 * start that fails must undo its own partial work; the host closes the modules started
 * before it.
 */
export interface GatewayModule<Provides extends object = object> {
  /** Names the module in the log line of a close that failed. */
  readonly name: string;
  start(host: Host): Promise<Contribution & Provides>;
}
