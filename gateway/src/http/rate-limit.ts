import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, valueFromASTUntyped, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { createHash } from 'node:crypto';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { GatewayContext } from '../context';
import { ErrorCode } from '../errors';
import type { FailOpenRedis } from './fail-open-redis';

/** Mutations that guess or mint credentials: limited per IP and per account far more strictly. */
export const CREDENTIAL_MUTATIONS: ReadonlySet<string> = new Set(['login', 'register', 'refreshSession']);

export interface RateLimitOptions {
  /** Prefix of every key in Redis (tests use their own). */
  keyPrefix: string;
  windowSeconds: number;
  /** Requests per window for a signed-in user, by token subject. */
  perUser: number;
  /** Requests per window for an anonymous caller, by IP. */
  perIp: number;
  /** {@link CREDENTIAL_MUTATIONS} fields per window, by IP: generous, as many people may share one address. */
  credentialsPerIp: number;
  /** `login` / `register` fields per window for one account (the e-mail they name), from anywhere. */
  credentialsPerAccount: number;
}

export interface RateLimit {
  plugin: ApolloServerPlugin<GatewayContext>;
}

/** One credential field an operation runs. */
export interface CredentialField {
  field: string;
  /** The account it names: the e-mail of its `input` (or its `email` argument), trimmed and lower-cased. */
  account?: string;
}

/** The e-mail a `login` / `register` field names, from its `input.email` or `email` argument (variables resolved). */
function accountOf(field: FieldNode, variables: Record<string, unknown>): string | undefined {
  const args = new Map((field.arguments ?? []).map((a) => [a.name.value, a.value]));
  const input = args.get('input');
  const email = input ? (valueFromASTUntyped(input, variables) as { email?: unknown } | null)?.email : args.get('email') && valueFromASTUntyped(args.get('email')!, variables);
  return typeof email === 'string' && email.trim() ? email.trim().toLowerCase() : undefined;
}

/**
 * Every credential field `operation` runs at its root — each alias on its own, through
 * fragments and inline fragments — so `mutation { a: register(…) b: register(…) }` is two.
 * Fields sharing a response key are one (execution merges them). Queries run none.
 */
export function credentialFields(
  operation: OperationDefinitionNode,
  document: DocumentNode,
  variables: Record<string, unknown> = {},
  names: ReadonlySet<string> = CREDENTIAL_MUTATIONS,
): CredentialField[] {
  if (operation.operation !== 'mutation') return [];
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const found = new Map<string, CredentialField>();
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode): void => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        const key = s.alias?.value ?? s.name.value;
        if (names.has(s.name.value) && !found.has(key)) found.set(key, { field: s.name.value, account: s.name.value === 'refreshSession' ? undefined : accountOf(s, variables) });
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        visit(s.selectionSet);
      } else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        const fragment = fragments.get(s.name.value);
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  visit(operation.selectionSet);
  return [...found.values()];
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
 * per IP for anonymous ones, plus credential budgets that count operations, not requests —
 * every `login` / `register` / `refreshSession` field of the operation (aliases included;
 * in a batch each operation is a request of its own through this plugin): a generous one per
 * IP, so one office or campus behind a NAT still signs in, and a strict one per account (the
 * e-mail `login` / `register` name), so passwords cannot be guessed however many addresses
 * the guesses come from. An operation over a budget is refused whole, before any subgraph
 * is called. Accounts are spent only once the IP budgets allowed the operation: an address
 * already refused cannot go on locking other people's accounts.
 * Checked once the operation is resolved (the credential check needs the parsed document),
 * so it is the caller that was verified, not a claimed subject, that spends the budget.
 * If Redis is unreachable requests pass (with a warning): losing the limits for a while
 * beats taking the whole API down, and `/status` says so.
 */
export function createRateLimit(options: RateLimitOptions, shared: FailOpenRedis): RateLimit {
  const { redis } = shared;
  const warn = shared.warner('rate limits unavailable (Redis unreachable): letting requests through');

  const limiter = (name: string, points: number) =>
    new RateLimiterRedis({ storeClient: redis, keyPrefix: `${options.keyPrefix}:${name}`, points, duration: options.windowSeconds });
  const user = limiter('user', options.perUser);
  const ip = limiter('ip', options.perIp);
  const credentials = limiter('credentials', options.credentialsPerIp);
  const accounts = limiter('account', options.credentialsPerAccount);

  /** Resolves to the wait before the next allowed request, or 0 when allowed (or Redis is down). */
  const consume = async (rl: RateLimiterRedis, key: string, points = 1): Promise<number> => {
    try {
      await rl.consume(key, points);
      return 0;
    } catch (res) {
      if (res instanceof RateLimiterRes) return res.msBeforeNext;
      warn(res);
      return 0;
    }
  };
  const refuseIfWaiting = async (checks: Promise<number>[]) => {
    const wait = Math.max(0, ...(await Promise.all(checks)));
    if (wait > 0) throw rateLimited(wait);
  };
  // Keys name no e-mail in Redis: a hash is enough to count by.
  const accountKey = (email: string) => createHash('sha256').update(email).digest('base64url');

  return {
    plugin: {
      async requestDidStart() {
        return {
          async didResolveOperation({ contextValue, operation, document, request }) {
            const address = contextValue.ip ?? 'unknown';
            const fields = operation ? credentialFields(operation, document, request.variables ?? {}) : [];
            await refuseIfWaiting([
              contextValue.caller ? consume(user, contextValue.caller.userId) : consume(ip, address),
              ...(fields.length ? [consume(credentials, address, fields.length)] : []),
            ]);
            const perAccount = new Map<string, number>();
            for (const { account } of fields) if (account) perAccount.set(account, (perAccount.get(account) ?? 0) + 1);
            await refuseIfWaiting([...perAccount].map(([account, n]) => consume(accounts, accountKey(account), n)));
          },
        };
      },
    },
  };
}
