import type { ApolloServerOptions } from '@apollo/server';
import type { ValidationRule } from 'graphql';
import type { GatewayContext } from '../context';
import type { GatewayModule } from '../module';
import { connectFailOpenRedis } from './fail-open-redis';
import { createPersistedQueryCache } from './persisted-queries';
import { queryLimits } from './query-limits';
import { createRateLimit } from './rate-limit';
import { TrustedDocuments } from './trusted-documents';

/** What the GraphQL endpoint and the WebSocket transport take from request protection. */
export interface RequestProtection {
  /** graphql-armor's depth, alias, directive and cost rules, for operations over WebSocket too. */
  validationRules: ValidationRule[];
  /**
   * Apollo Server's options for them: those rules, the token limit (a parse option), and
   * `persistedQueries` — APQ in Redis (shared by every replica), in memory, or off, behind
   * the trusted-documents manifest when there is one.
   */
  apolloOptions: Pick<ApolloServerOptions<GatewayContext>, 'validationRules' | 'parseOptions' | 'persistedQueries'>;
  /** The trusted-documents manifest and mode, which subscriptions over WebSocket obey too. */
  trustedDocuments: TrustedDocuments;
  /** Whether Redis answers, for `/status`; absent when nothing here uses Redis. */
  redisStatus?: () => Promise<'up' | 'down'>;
}

/**
 * What decides whether, and in what form, an operation gets in: query limits
 * (query-limits.ts), rate limits in Redis (rate-limit.ts) and the automatic persisted
 * queries cache (persisted-queries.ts), both on one fail-open Redis connection
 * (fail-open-redis.ts), so that Redis being away loosens them rather than stopping the API;
 * and trusted documents (trusted-documents.ts), a manifest file each replica reads at start.
 */
export function requestProtection(): GatewayModule<RequestProtection> {
  return {
    name: 'request protection',
    async start({ config, log }) {
      const trusted = TrustedDocuments.load({ mode: config.TRUSTED_DOCUMENTS, manifestPath: config.TRUSTED_DOCUMENTS_MANIFEST });
      if (trusted.mode !== 'off') log.info({ mode: trusted.mode, operations: trusted.size }, 'trusted documents loaded');
      else if (config.NODE_ENV === 'production') log.warn('TRUSTED_DOCUMENTS=off in production: any operation runs (enforce is the production setting)');
      const limits = queryLimits({
        maxDepth: config.GRAPHQL_MAX_DEPTH,
        maxAliases: config.GRAPHQL_MAX_ALIASES,
        maxTokens: config.GRAPHQL_MAX_TOKENS,
        maxDirectives: config.GRAPHQL_MAX_DIRECTIVES,
        maxCost: config.GRAPHQL_MAX_COST,
        blockFieldSuggestions: config.NODE_ENV === 'production',
      });
      // One fail-open Redis connection for the rate limits and the persisted-query cache.
      const redis = config.RATE_LIMIT === 'on' || config.APQ === 'redis' ? await connectFailOpenRedis(config.REDIS_URL, log) : undefined;
      const rateLimit =
        redis && config.RATE_LIMIT === 'on'
          ? createRateLimit(
              {
                keyPrefix: config.RATE_LIMIT_PREFIX,
                windowSeconds: config.RATE_LIMIT_WINDOW_S,
                perUser: config.RATE_LIMIT_USER,
                perIp: config.RATE_LIMIT_IP,
                credentialsPerIp: config.RATE_LIMIT_LOGIN_IP,
                credentialsPerAccount: config.RATE_LIMIT_LOGIN,
              },
              redis,
            )
          : undefined;
      const apqCache = redis && config.APQ === 'redis' ? createPersistedQueryCache({ keyPrefix: config.APQ_PREFIX, ttlSeconds: config.APQ_TTL_S }, redis) : undefined;
      return {
        plugins: [...trusted.plugins(), ...limits.plugins, ...(rateLimit ? [rateLimit.plugin] : [])],
        validationRules: limits.validationRules ?? [],
        apolloOptions: {
          validationRules: limits.validationRules,
          parseOptions: limits.parseOptions,
          persistedQueries: trusted.persistedQueries(apqCache ? { kind: 'redis', cache: apqCache } : { kind: config.APQ === 'off' ? 'off' : 'memory' }, config.APQ_TTL_S),
        },
        trustedDocuments: trusted,
        redisStatus: redis?.status,
        close: () => redis?.close(),
      };
    },
  };
}
