import { Kind, visit, BREAK, type DocumentNode, type FragmentDefinitionNode } from 'graphql';
import { createHash } from 'node:crypto';
import { stableJson } from '../fetch/entity-cache-keys';
import type { CachePolicy } from '../plan/cache-policy';

/**
 * The pure part of the response cache (response-cache.ts): which operations it answers, and
 * the key of one.
 *
 * Layout in Redis: `<prefix>:r:<key hash>`, a hash { s: the invalidation sequence read when
 * the operation began, t: its tags (JSON), b: the response's data (JSON) } expiring after the
 * policy's max age; `<prefix>:rt:<tag>`, the sequence of the tag's last invalidation; and
 * `<prefix>:rseq`, the sequence (response-cache-store.ts).
 */

/** Longest time a response is kept, whatever its hints say (the invalidation marks outlive it, see response-cache-store.ts). */
export const MAX_TTL_S = 3600;

/** Largest response kept (UTF-16 code units of its JSON): a cache of big answers would crowd out the common ones. */
export const MAX_BODY_CHARS = 512 * 1024;

const hash = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 32);

/**
 * The key of one operation's response: the supergraph it ran on, the document's hash, the
 * operation's name and its variables (key order aside). Nothing of the caller: only anonymous
 * operations are cached (see {@link whyUncacheable}).
 */
export function responseKey(prefix: string, supergraph: string, queryHash: string, operationName: string | null | undefined, variables: Record<string, unknown> | undefined): string {
  return `${prefix}:r:${hash(`${supergraph}\n${queryHash}\n${operationName ?? ''}\n${stableJson(variables ?? {})}`)}`;
}

/** What the response cache knows of one request before executing it. */
export interface RequestFacts {
  /** `query`, `mutation`, `subscription`; undefined when no operation was resolved. */
  operation: string | undefined;
  /** No verified caller and no Authorization header. */
  anonymous: boolean;
  /** The document has `@defer` or `@stream` (an incremental response). */
  incremental: boolean;
  /** The operation's policy from the hints (plan/cache-policy.ts). */
  policy: CachePolicy | undefined;
  /** Authorization (for this anonymous caller) leaves the operation whole: nothing is refused. Asked last, only when the rest allows caching. */
  authorized(): boolean;
}

/**
 * Why a request's response is not looked up nor stored, or undefined when it is. Only an
 * anonymous query, without `@defer`/`@stream`, whose every field the hints make PUBLIC with a
 * max age, and which authorization leaves whole.
 *
 * Why anonymous only, rather than a key holding what the authorization decisions depend on:
 * the gateway's decisions depend on the caller's scopes, roles and any `@policy`, but the
 * subgraphs apply row rules of their own that the gateway cannot see (`workspaces(filter:
 * { includeArchived: true })` lists archived workspaces to a manager only) — a PUBLIC hint
 * says the answer may be shared, not that it is the same for everyone signed in. An anonymous
 * request is the same request whoever sends it: the subgraphs get no credentials, and the
 * gateway's authorization, decided before the cache for every request ({@link
 * RequestFacts.authorized}), is a function of the document and variables alone — the key.
 * Signed-in callers get the fetch stage's caches instead: the entity cache (per entity, PRIVATE
 * keyed by user) and the root cache (root fetches, keyed by caller: fetch/root-cache.ts).
 */
export function whyUncacheable(facts: RequestFacts): string | undefined {
  if (facts.operation !== 'query') return 'not a query';
  if (!facts.anonymous) return 'not anonymous';
  if (facts.incremental) return 'incremental';
  if (!facts.policy || facts.policy.maxAge <= 0 || facts.policy.scope !== 'PUBLIC') return 'not public';
  if (!facts.authorized()) return 'refused fields';
  return undefined;
}

/** The TTL of a response, in seconds: its policy's max age, at most {@link MAX_TTL_S}. */
export const ttlOf = (policy: CachePolicy) => Math.min(policy.maxAge, MAX_TTL_S);

/** Whether a document asks for incremental delivery anywhere (`@defer`, `@stream`). */
export function isIncremental(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive(node) {
      if (node.name.value === 'defer' || node.name.value === 'stream') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return fragments;
}
