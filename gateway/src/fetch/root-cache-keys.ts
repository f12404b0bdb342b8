import type { GraphQLFormattedError } from 'graphql';
import { createHash } from 'node:crypto';
import type { GatewayContext } from '../context';
import type { CachePolicy } from '../plan/cache-policy';
import { stableJson } from './entity-cache-keys';

/**
 * The pure part of the root cache (root-cache.ts): which root fetches it answers, for whom,
 * under which key, and which answers it keeps.
 *
 * Layout in Redis: `<prefix>:q:<key hash>`, a hash { s: the invalidation sequence read before
 * the fetch, t: its tags (JSON), b: the answer's data (JSON) } expiring after the policy's max
 * age — the response cache's layout (http/response-cache-store.ts), whose tag marks
 * (`<prefix>:rt:<tag>`) and sequence (`<prefix>:rseq`) it shares.
 */

const hash = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 32);

/**
 * Who a root answer is for, as part of its key: `anonymous` for a request without credentials
 * (the subgraph gets none, so every anonymous caller gets the same answer), else the caller's
 * user id with a hash of the roles and scopes of its token — what subgraphs decide row rules
 * by (catalog lists archived workspaces to managers only), so a caller whose roles changed
 * does not find what it saw before. Undefined, not cached, for an `Authorization` header the
 * gateway did not verify into a caller (the subgraph would see credentials the key lacks).
 */
export function callerKey(context: Pick<GatewayContext, 'caller' | 'authorization'> | undefined): string | undefined {
  const caller = context?.caller;
  if (!caller) return context?.authorization ? undefined : 'anonymous';
  const claims = `${[...caller.roles].sort().join(',')}|${[...caller.scopes].sort().join(',')}`;
  return `user:${caller.userId.length}.${caller.userId}:${hash(claims).slice(0, 12)}`;
}

/**
 * The key of one root fetch's answer: the subgraph, the caller ({@link callerKey}) and the
 * exact request sent — its operation and its variables (key order aside).
 */
export function rootFetchKey(prefix: string, subgraph: string, caller: string, query: string, variables: Record<string, unknown> | undefined): string {
  return `${prefix}:q:${hash(`${subgraph}\n${caller}\n${query}\n${stableJson(variables ?? {})}`)}`;
}

/** What the root cache knows of one fetch before sending it. */
export interface RootFetchFacts {
  /** The client operation's kind (`query`, `mutation`, `subscription`); undefined when none. */
  incoming: string | undefined;
  /** The fetch carries representations: an `_entities` fetch, the entity cache's. */
  entities: boolean;
  /** The fetch operation's policy from the hints (plan/cache-policy.ts `rootFetchPolicy`). */
  policy: CachePolicy | undefined;
  /** {@link callerKey}. */
  caller: string | undefined;
}

/**
 * Why a fetch is neither looked up nor kept, or undefined when it is: only the root fetches of
 * a client's query (not a mutation's, whose answers must show what it did, nor a subscription
 * event's, sent at the moment of a change, maybe before its invalidation is heard), not
 * `_entities`, whose every field the hints allow (max age > 0, whatever the scope: the key
 * always holds the caller), for a caller the key can name.
 */
export function whyRootUncacheable(facts: RootFetchFacts): string | undefined {
  if (facts.incoming !== 'query') return 'not a query';
  if (facts.entities) return 'entities';
  if (!facts.policy || facts.policy.maxAge <= 0) return 'hints';
  if (facts.caller === undefined) return 'unverified credentials';
  return undefined;
}

/**
 * Whether a root answer may be kept: without errors (a partial answer, or one a subgraph
 * refused, is not what the next caller should get), with data, and no root field null (a
 * missing entity may come to exist, a refused one may be allowed next time).
 */
export function keepable(answer: { data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] }): answer is { data: Record<string, unknown> } {
  if (answer.errors?.length) return false;
  const data = answer.data;
  if (!data || typeof data !== 'object') return false;
  const values = Object.values(data);
  return values.length > 0 && values.every((value) => value !== null && value !== undefined);
}
