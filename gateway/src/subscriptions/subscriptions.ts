import type { ApolloServer } from '@apollo/server';
import type { ValidationRule } from 'graphql';
import type { Authentication } from '../authenticate/authentication';
import { SESSION_REVOKED_MESSAGE } from '../authenticate/revocations';
import type { GatewayContext } from '../context';
import { ErrorCode } from '../errors';
import type { Signer } from '../fetch/sign';
import type { GraphQLEndpoint } from '../http/graphql-endpoint';
import type { TrustedDocuments } from '../http/trusted-documents';
import type { GatewayModule } from '../module';
import type { AuthorizingGateway } from '../plan/authorizing-gateway';
import { closing, SubscriptionHub } from './hub';
import { multipartSubscriptions } from './multipart';
import { GatewayOperations } from './operations';
import { sseSubscriptions } from './sse';
import { UpstreamPool } from './upstream';
import { serveWebSocket } from './websocket';

export interface Subscriptions {
  /** Open subscriptions and their upstream streams. */
  hub: SubscriptionHub;
}

/**
 * Subscriptions on `/graphql` over three transports — graphql-ws (websocket.ts), Apollo's
 * multipart HTTP protocol (multipart.ts) and GraphQL over SSE (sse.ts) — admitted,
 * authorized and planned the same way (operations.ts) and served by one hub (hub.ts:
 * deduplication, fan-out, bounded queues) over one multiplexed, signed connection per
 * subgraph (upstream.ts). Their subscriptions end when identity revokes their session, and
 * all of them when a new supergraph is loaded. Started after the GraphQL endpoint, whose
 * Apollo Server runs the queries and mutations sent over the socket and streams, and in
 * front of which the two HTTP transports answer the requests that ask for them.
 */
export function subscriptions(deps: {
  endpoint: GraphQLEndpoint;
  gateway: AuthorizingGateway;
  authentication: Authentication;
  /** graphql-armor's rules, as over HTTP. */
  validationRules: ValidationRule[];
  /** The trusted-documents manifest, as over HTTP (`enforce`: only its subscriptions open). */
  trustedDocuments?: TrustedDocuments;
  sign: Signer | undefined;
}): GatewayModule<Subscriptions> {
  return {
    name: 'subscriptions',
    async start({ config, log, metrics, httpServer }) {
      const { gateway, authentication } = deps;
      const apollo: ApolloServer<GatewayContext> = deps.endpoint.apollo;
      const pool = new UpstreamPool({ keepAliveMs: config.SUBSCRIPTION_KEEPALIVE_MS, log, sign: deps.sign });
      const hub = new SubscriptionHub(gateway.subscriptionPlanner, pool, {
        dedup: config.SUBSCRIPTION_DEDUP === 'on',
        queueLimit: config.SUBSCRIPTION_QUEUE_LIMIT,
        metrics: metrics.subscriptions,
        log,
      });
      const operations = new GatewayOperations({
        apollo,
        gateway,
        hub,
        revoked: authentication.revoked,
        log,
        validationRules: deps.validationRules,
        trustedDocuments: deps.trustedDocuments,
        maxTokens: config.GRAPHQL_MAX_TOKENS,
        perConnection: config.SUBSCRIPTIONS_PER_CONNECTION,
        max: config.SUBSCRIPTIONS_MAX,
        hideSuggestions: config.NODE_ENV === 'production',
      });
      const socket = serveWebSocket({ httpServer, operations, authenticate: authentication.identify, log, maxPayload: config.REQUEST_MAX_BYTES });
      deps.endpoint.inFront(multipartSubscriptions({ operations, session: authentication.identify, heartbeatMs: config.SUBSCRIPTION_HEARTBEAT_MS, log }));
      deps.endpoint.inFront(sseSubscriptions({ operations, session: authentication.identify, log }));
      // The first supergraph is loaded by now: on each later one, the subscriptions still valid
      // there are planned again and go on; those it made invalid end clearly.
      const unwatch = gateway.onSchemaLoadOrUpdate(() => {
        const counts = hub.reload(closing('The supergraph was updated and this subscription is no longer valid: subscribe again', ErrorCode.SUPERGRAPH_UPDATED));
        log.info(counts, 'carried the open subscriptions over to the new supergraph');
      });
      const unlisten = authentication.onRevoked((sessionIds) => {
        const ended = hub.endWhere((caller) => !!caller?.sessionId && sessionIds.has(caller.sessionId), closing(SESSION_REVOKED_MESSAGE, ErrorCode.UNAUTHENTICATED));
        if (ended > 0) log.info({ ended }, 'ended the subscriptions of revoked sessions');
      });
      return {
        hub,
        async close() {
          unwatch();
          unlisten();
          hub.closeAll(closing('The gateway is shutting down: reconnect', ErrorCode.SUBGRAPH_UNAVAILABLE));
          await socket.close();
          await pool.close();
        },
      };
    },
  };
}
