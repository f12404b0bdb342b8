import type { Module } from '../../lifecycle';
import { serveSubscriptions, type SubscriptionServer, type SubscriptionServerOptions } from '../subscription-server';

/**
 * graphql-ws on the subgraph's HTTP server, once it listens (a taken port then fails in
 * `listen` alone, with its clear message). Closed first: its clients (the gateway) see the
 * sockets close and end those subscriptions.
 */
export const subscriptions = (options: SubscriptionServerOptions): Module<SubscriptionServer> => ({
  name: 'subscriptions',
  start: () => serveSubscriptions(options),
  close: (server) => server.close(),
});
