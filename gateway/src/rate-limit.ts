import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode, type Logger } from '@atrium/kit';
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { GatewayContext } from './context';
import type { FailOpenRedis } from './fail-open-redis';

/** Mutations that guess or mint credentials: limited per IP far more strictly. */
export const CREDENTIAL_MUTATIONS: ReadonlySet<string> = new Set(['login', 'register', 'refreshSession']);

export interface RateLimitOptions {
  /** Prefix of every key in Redis (tests use their own). */
  keyPrefix: string;
  windowSeconds: number;
  /** Requests per window for a signed-in user, by token subject. */
  perUser: number;
  /** Requests per window for an anonymous caller, by IP. */
  perIp: number;
  /** {@link CREDENTIAL_MUTATIONS} per window, by IP. */
  credentialsPerIp: number;
}

export interface RateLimit {
  plugin: ApolloServerPlugin<GatewayContext>;
}

/**
 * Whether `operation` is a mutation selecting one of `names` at its root (through
 * fragments too, so `mutation { ...F } fragment F on Mutation { login }` is caught).
 */
export function selectsRootMutation(
  operation: OperationDefinitionNode,
  document: DocumentNode,
  names: ReadonlySet<string> = CREDENTIAL_MUTATIONS,
): boolean {
  if (operation.operation !== 'mutation') return false;
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode): boolean =>
    set.selections.some((s) => {
      if (s.kind === Kind.FIELD) return names.has(s.name.value);
      if (s.kind === Kind.INLINE_FRAGMENT) return visit(s.selectionSet);
      const fragment = fragments.get(s.name.value);
      if (!fragment || seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      return visit(fragment.selectionSet);
    });
  return visit(operation.selectionSet);
}

/** The 429 a caller gets: when to retry is in the message, `extensions.retryAfter` and `Retry-After`. */
export function rateLimited(msBeforeNext: number): GraphQLError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new GraphQLError(`Too many requests: retry in ${seconds}s`, {
    extensions: {
      code: ErrorCode.RATE_LIMITED,
      retryAfter: seconds,
      http: { status: 429, headers: new Map([['retry-after', String(seconds)]]) },
    },
  });
}

/**
 * Rate limits in Redis (shared by every gateway replica): per user for signed-in callers,
 * per IP for anonymous ones, plus a strict per-IP budget for the credential mutations.
 * Checked once the operation is resolved (the credential check needs the parsed document),
 * so it is the caller that was verified, not a claimed subject, that spends the budget.
 * If Redis is unreachable requests pass (with a warning): losing the limits for a while
 * beats taking the whole API down, and `/ready` says so.
 */
export function createRateLimit(options: RateLimitOptions, shared: FailOpenRedis): RateLimit {
  const { redis } = shared;
  const warn = shared.warner('rate limits unavailable (Redis unreachable): letting requests through');

  const limiter = (name: string, points: number) =>
    new RateLimiterRedis({ storeClient: redis, keyPrefix: `${options.keyPrefix}:${name}`, points, duration: options.windowSeconds });
  const user = limiter('user', options.perUser);
  const ip = limiter('ip', options.perIp);
  const credentials = limiter('credentials', options.credentialsPerIp);

  /** Resolves to the wait before the next allowed request, or 0 when allowed (or Redis is down). */
  const consume = async (rl: RateLimiterRedis, key: string): Promise<number> => {
    try {
      await rl.consume(key);
      return 0;
    } catch (res) {
      if (res instanceof RateLimiterRes) return res.msBeforeNext;
      warn(res);
      return 0;
    }
  };

  return {
    plugin: {
      async requestDidStart() {
        return {
          async didResolveOperation({ contextValue, operation, document }) {
            const address = contextValue.ip ?? 'unknown';
            const checks = [contextValue.caller ? consume(user, contextValue.caller.userId) : consume(ip, address)];
            if (operation && selectsRootMutation(operation, document)) checks.push(consume(credentials, address));
            const wait = Math.max(...(await Promise.all(checks)));
            if (wait > 0) throw rateLimited(wait);
          },
        };
      },
    },
  };
}
