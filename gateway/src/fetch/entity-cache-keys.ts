import type { GraphQLFormattedError } from 'graphql';
import { createHash } from 'node:crypto';
import type { CachePolicy } from '../plan/cache-policy';

/**
 * The pure part of the entity cache (entity-cache.ts): how an entity of an `_entities` fetch
 * is named in the cache, and how a partial answer (only the representations the cache did not
 * have) is merged back into the answer of the whole fetch.
 *
 * Layout in Redis, so that one `DEL` forgets everything about one entity for every replica:
 * a hash per entity, `<prefix>:e:<Type>:<id>`, whose fields are
 * `<subgraph>:<fetch hash>:<scope>[:<rest of the representation>]` and values
 * `{ expiresAt, data }` (JSON); beside it `<prefix>:g:<Type>:<id>`, the entity's generation,
 * incremented by each invalidation, which a fetch that began before it must find unchanged to
 * write its answer (else it could write back what the change replaced).
 */

/** JSON with object keys sorted at every level: one string per value, whatever the key order. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

const hash = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 22);

/**
 * The hash of one fetch as the subgraph answers it: its operation and its variables other
 * than the representations (`Workspace.availability(from, to)` is fetched with `$from`, `$to`).
 */
export function fetchHash(operation: string, variables: Record<string, unknown> | undefined): string {
  const { representations: _representations, ...rest } = variables ?? {};
  return hash(`${operation}\n${stableJson(rest)}`);
}

/** One entity: its type and id (what an event names), the hash and field it is stored under. */
export interface EntityKey {
  type: string;
  id: string;
  /** `<prefix>:e:<Type>:<id>`: every cached answer about this entity. */
  hashKey: string;
  /** `<prefix>:g:<Type>:<id>`: its generation. */
  generationKey: string;
  /** The field of this fetch's answer for this caller. */
  field: string;
  /** The memory tier's key of this answer. */
  memoryKey: string;
}

/** `Type:id`, how the memory tier and invalidation messages name an entity. */
export const entityName = (type: string, id: string) => `${type}:${id}`;

export function entityHashKey(prefix: string, type: string, id: string) {
  return { hashKey: `${prefix}:e:${type}:${id}`, generationKey: `${prefix}:g:${type}:${id}` };
}

/**
 * The key of one representation's answer, or undefined when it is not cached: no policy for
 * its type, no `id` among its key fields, or a PRIVATE answer for an anonymous caller (never
 * cached: with no user to key it by, it could reach someone else). PRIVATE answers are keyed
 * by the caller's user id, so a cached value never reaches another caller. Representation
 * fields beyond `__typename` and `id` (other key fields, `@requires` fields) are part of the
 * field, so an answer computed from them is only found for the same ones.
 */
export function entityKey(
  prefix: string,
  subgraph: string,
  fetch: string,
  representation: unknown,
  policies: ReadonlyMap<string, CachePolicy>,
  userId: string | undefined,
): EntityKey | undefined {
  if (!representation || typeof representation !== 'object') return undefined;
  const { __typename: type, id, ...rest } = representation as Record<string, unknown>;
  if (typeof type !== 'string' || (typeof id !== 'string' && typeof id !== 'number')) return undefined;
  const policy = policies.get(type);
  if (!policy || policy.maxAge <= 0) return undefined;
  if (policy.scope === 'PRIVATE' && !userId) return undefined;
  const scope = policy.scope === 'PRIVATE' ? `u${userId!.length}.${userId}` : 'public';
  const extra = Object.keys(rest).length > 0 ? `:${hash(stableJson(rest))}` : '';
  const field = `${subgraph}:${fetch}:${scope}${extra}`;
  const { hashKey, generationKey } = entityHashKey(prefix, type, String(id));
  return { type, id: String(id), hashKey, generationKey, field, memoryKey: `${entityName(type, String(id))}|${field}` };
}

/** What a cache entry holds: the entity's answer and when it stops being fresh (ms since epoch). */
export interface CacheEntry {
  expiresAt: number;
  data: unknown;
}

/** The stored form of an answer with its max age (seconds) from `now`. */
export function entryOf(data: unknown, maxAge: number, now = Date.now()): string {
  return JSON.stringify({ expiresAt: now + maxAge * 1000, data } satisfies CacheEntry);
}

/** A stored answer still fresh at `now`, or undefined (absent, expired, unreadable). */
export function freshEntry(stored: string | null | undefined, now = Date.now()): CacheEntry | undefined {
  if (!stored) return undefined;
  try {
    const entry = JSON.parse(stored) as CacheEntry;
    return typeof entry.expiresAt === 'number' && entry.expiresAt > now && entry.data !== undefined ? entry : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Indexes (in the sent representations) of the entities an error is about: an error whose
 * path is `["_entities", i, …]` is about entity `i`; one without such a path is about all of
 * them (`undefined`), and nothing of the answer is cached.
 */
export function erroredEntities(errors: readonly GraphQLFormattedError[] | undefined): Set<number> | undefined {
  const indexes = new Set<number>();
  for (const error of errors ?? []) {
    const [root, index] = error.path ?? [];
    if (root !== '_entities' || typeof index !== 'number') return undefined;
    indexes.add(index);
  }
  return indexes;
}

/**
 * The answer of the whole fetch from what the cache had (`cached`, by original index) and
 * the subgraph's answer to the representations it did not (`missing[j]` is the original
 * index of the j-th sent one): entities in the original order, errors with their
 * `_entities` index moved back to the original one. A subgraph answer without `_entities`
 * (a failed fetch) leaves the missing entities null.
 */
export function mergeEntities(
  total: number,
  cached: ReadonlyMap<number, unknown>,
  missing: readonly number[],
  answer: { data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] } | undefined,
): { data: { _entities: unknown[] }; errors?: GraphQLFormattedError[] } {
  const fetched = answer?.data?._entities;
  const entities: unknown[] = new Array<unknown>(total).fill(null);
  for (const [index, value] of cached) entities[index] = value;
  if (Array.isArray(fetched)) missing.forEach((original, j) => (entities[original] = fetched[j] ?? null));
  const errors = answer?.errors?.map((error) => {
    const [root, index, ...rest] = error.path ?? [];
    if (root !== '_entities' || typeof index !== 'number' || missing[index] === undefined) return error;
    return { ...error, path: ['_entities', missing[index], ...rest] };
  });
  return errors?.length ? { data: { _entities: entities }, errors } : { data: { _entities: entities } };
}
