import { Cursor, type EntityMetadata } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The SQL of read-only finds, built once per *shape* — the `where` and page options with
 * every string and number left out — instead of once per request: MikroORM's `where`
 * processing, QueryBuilder and knex compiling were a large part of a list page's CPU
 * (docs/benchmarks.md, "Issue 14", lever 8 and its A/B). The statement is MikroORM's own:
 * it is built by the driver's `find` itself, with stand-in values in the slots, and sent
 * as its QueryBuilder would send it — the same text and the same knex 'query' event, so
 * `countStatements` and pg's spans see it (`select` in read-only.ts).
 *
 * A shape is only cached when its SQL is provably value-independent: built with two sets
 * of stand-ins, the SQL text is the same and every parameter is either one slot's stand-in
 * in both or the same constant in both; and built with the request's real values, it is
 * exactly the statement the cache would send. A value MikroORM converts (a Date, an array
 * of a custom type), one inlined into the SQL text, a filter, a join: the shape is marked
 * uncacheable and its finds take the ordinary path.
 */

/** What the driver's `find` is asked, besides `where`: only these shape a cached statement. */
export interface ReadOptions {
  first?: number;
  limit?: number;
  offset?: number;
  after?: string;
  overfetch?: boolean;
  orderBy?: unknown;
  /** The properties selected (MikroORM's partial loading); all when absent. */
  fields?: readonly string[];
}

export interface Statement {
  sql: string;
  /** Each parameter: a slot of the shape's values, or a constant. */
  params: ({ slot: number } | { constant: unknown })[];
}

/** A shape and the values of its slots, in order. */
interface Shape {
  key: string;
  values: unknown[];
}

const CACHEABLE_OPTIONS = new Set(['first', 'after', 'overfetch', 'orderBy', 'limit', 'offset', 'fields']);

/** Bounded: shapes come from code paths, not from values, so a few hundred is every one. */
const MAX_SHAPES = 500;

/**
 * The shape of `where` and `options`, or undefined when they hold a value whose SQL could
 * depend on more than its slot (a Date, an entity, a class instance…).
 */
export function shapeOf(where: unknown, options: ReadOptions & Record<string, unknown>): Shape | undefined {
  const values: unknown[] = [];
  const walk = (value: unknown): string | undefined => {
    switch (typeof value) {
      case 'string':
        values.push(value);
        return 's';
      case 'number':
        if (!Number.isFinite(value)) return undefined;
        values.push(value);
        return 'n';
      case 'boolean':
        return String(value);
      case 'undefined':
        return 'u';
      case 'object': {
        if (value === null) return 'null';
        if (Array.isArray(value)) {
          const parts: string[] = [];
          for (const item of value) {
            const part = walk(item);
            if (part === undefined) return undefined;
            parts.push(part);
          }
          return `[${parts.join(',')}]`;
        }
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) return undefined;
        const parts: string[] = [];
        for (const key of Object.keys(value)) {
          const part = walk((value as Record<string, unknown>)[key]);
          if (part === undefined) return undefined;
          parts.push(`${JSON.stringify(key)}:${part}`);
        }
        return `{${parts.join(',')}}`;
      }
      default:
        return undefined;
    }
  };
  for (const key of Object.keys(options)) if (options[key] !== undefined && !CACHEABLE_OPTIONS.has(key)) return undefined;
  const whereKey = walk(where);
  if (whereKey === undefined) return undefined;
  let afterKey = '-';
  if (options.after != null) {
    let decoded: unknown;
    try {
      decoded = Cursor.decode(options.after);
    } catch {
      return undefined;
    }
    // A cursor's timestamps decode as Dates, which MikroORM converts: not a slot.
    if (!Array.isArray(decoded) || decoded.some((value) => typeof value !== 'string' && typeof value !== 'number')) return undefined;
    afterKey = walk(decoded) ?? '-';
  }
  // Page sizes and offsets are part of the shape (a handful of values each), not slots.
  const key = `${whereKey}|${JSON.stringify(options.orderBy ?? null)}|${options.fields?.join(',') ?? '*'}|${options.first ?? '-'}|${options.limit ?? '-'}|${options.offset ?? '-'}|${options.overfetch ? 1 : 0}|${afterKey}`;
  return { key, values };
}

/**
 * `where` and `options` with each slot's value replaced by a stand-in of family `family` (a
 * string for a string, a number for a number), and which slot each stand-in stands for.
 */
function withStandIns(where: unknown, options: ReadOptions, family: number): { where: unknown; options: ReadOptions; slots: Map<unknown, number> } {
  const slots = new Map<unknown, number>();
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string' || typeof value === 'number') {
      const slot = slots.size;
      const stand = typeof value === 'number' ? 1_000_000_000 + family * 100_000 + slot : `\u0001atrium-slot-${family}-${slot}\u0001`;
      slots.set(stand, slot);
      return stand;
    }
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') {
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(value)) copy[key] = walk((value as Record<string, unknown>)[key]);
      return copy;
    }
    return value;
  };
  // The where's slots first, then the cursor's: the order `shapeOf` gives them.
  const filledWhere = walk(where);
  const filled: ReadOptions = { ...options };
  if (options.after != null) filled.after = Cursor.encode(walk(Cursor.decode(options.after)) as unknown[]);
  return { where: filledWhere, options: filled, slots };
}

interface Built {
  sql: string;
  bindings: unknown[];
}

/** The driver's internals `find` goes through; not part of MikroORM's published types. */
interface DriverInternals {
  find(entityName: string, where: unknown, options: object): Promise<unknown[]>;
  createQueryBuilder(...args: unknown[]): { execute: unknown; toQuery(): { _sql: { sql: string; bindings?: unknown[] } }; _populate?: unknown[] };
}
interface WhereProcessing {
  processWhere(entityName: string, where: unknown, options: object, type: 'read'): Promise<unknown>;
}

/**
 * What `em.find` does for a read-only find after its bookkeeping: the `where` processed as it
 * processes it, then the driver's `find` (called on `driver`: the em's, or one that captures
 * the statement instead of running it), no populate, in the em's transaction if any.
 */
export async function driverFind(em: EntityManager, meta: EntityMetadata, where: unknown, options: object, driver = em.getDriver() as unknown as DriverInternals): Promise<unknown[]> {
  const processed = await (em as unknown as WhereProcessing).processWhere(meta.className, where, options, 'read');
  return driver.find(meta.className, processed, { ...options, populate: [], ctx: em.getTransactionContext(), em });
}

/**
 * The statement the driver's `find` would send for `where` and `options`, built by `find`
 * itself but captured instead of executed (its QueryBuilder's `execute` returns no rows).
 * Undefined when the find joins anything (its rows would need the QueryBuilder to map).
 */
async function build(em: EntityManager, meta: EntityMetadata, where: unknown, options: ReadOptions): Promise<Built | undefined> {
  const driver = em.getDriver() as unknown as DriverInternals;
  let built: Built | undefined;
  let joins = false;
  const capturing = Object.create(driver, {
    createQueryBuilder: {
      value: (...args: unknown[]) => {
        const qb = driver.createQueryBuilder(...args);
        qb.execute = async () => {
          const { sql, bindings } = qb.toQuery()._sql;
          built = { sql, bindings: bindings ?? [] };
          joins = (qb._populate?.length ?? 0) > 0;
          return [];
        };
        return qb;
      },
    },
  }) as DriverInternals;
  await driverFind(em, meta, where, options, capturing);
  return joins ? undefined : built;
}

/**
 * The statement of a shape from two builds with different stand-ins (`slotsA`, `slotsB`: which
 * slot each stand-in stands for); undefined if they disagree anywhere.
 */
function statementOf(a: Built, b: Built, slotsA: Map<unknown, number>, slotsB: Map<unknown, number>): Statement | undefined {
  if (a.sql !== b.sql || a.bindings.length !== b.bindings.length) return undefined;
  const used = new Set<number>();
  const params: Statement['params'] = [];
  for (let i = 0; i < a.bindings.length; i++) {
    const slot = slotsA.get(a.bindings[i]);
    if (slot !== undefined && slotsB.get(b.bindings[i]) === slot) {
      used.add(slot);
      params.push({ slot });
    } else if (slot === undefined && isConstant(a.bindings[i]) && a.bindings[i] === b.bindings[i]) {
      params.push({ constant: a.bindings[i] });
    } else return undefined;
  }
  // A slot that reached neither the parameters nor the text was consumed some other way.
  return used.size === slotsA.size ? { sql: a.sql, params } : undefined;
}

const isConstant = (value: unknown) => value === null || ['string', 'number', 'boolean'].includes(typeof value);

export const paramsOf = (statement: Statement, values: unknown[]) =>
  statement.params.map((param) => ('slot' in param ? values[param.slot] : param.constant));

const caches = new WeakMap<object, Map<string, Statement | null>>();

/** Whether `em` has filters of its own (`em.addFilter`), which may differ from request to request. */
function hasOwnFilters(em: EntityManager): boolean {
  for (const _ in (em as unknown as { filters: object }).filters) return true;
  return false;
}

/**
 * The cached statement for this find, built (and checked) the first time its shape is seen;
 * undefined when the shape cannot be cached — the caller then takes the ordinary path.
 */
export async function cachedStatement(
  em: EntityManager,
  meta: EntityMetadata,
  where: unknown,
  options: ReadOptions & Record<string, unknown>,
): Promise<{ statement: Statement; params: unknown[] } | undefined> {
  if (hasOwnFilters(em)) return undefined;
  const shape = shapeOf(where, options);
  if (!shape) return undefined;
  const driver = em.getDriver();
  let cache = caches.get(driver);
  if (!cache) caches.set(driver, (cache = new Map()));
  const key = `${meta.className}|${shape.key}`;
  let statement = cache.get(key);
  if (statement === undefined) {
    statement = (await compile(em, meta, where, options, shape)) ?? null;
    if (cache.size >= MAX_SHAPES) cache.clear();
    cache.set(key, statement);
  }
  return statement ? { statement, params: paramsOf(statement, shape.values) } : undefined;
}

async function compile(em: EntityManager, meta: EntityMetadata, where: unknown, options: ReadOptions, shape: Shape): Promise<Statement | undefined> {
  // Filters of the configuration or the entity (`@Filter`) may take per-request parameters:
  // such an entity's finds are never cached (known once per shape, like the rest).
  if (Object.keys(meta.filters ?? {}).length || Object.keys(em.config.get('filters') ?? {}).length) return undefined;
  const withA = withStandIns(where, options, 1);
  const withB = withStandIns(where, options, 2);
  const a = await build(em, meta, withA.where, withA.options);
  const b = await build(em, meta, withB.where, withB.options);
  const real = await build(em, meta, where, options);
  if (!a || !b || !real || withA.slots.size !== shape.values.length) return undefined;
  const statement = statementOf(a, b, withA.slots, withB.slots);
  if (!statement || statement.sql !== real.sql) return undefined;
  const params = paramsOf(statement, shape.values);
  return params.length === real.bindings.length && params.every((param, i) => param === real.bindings[i]) ? statement : undefined;
}
