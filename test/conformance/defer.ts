/**
 * `@defer` in the conformance tier: operations with `@defer` on supergraphs of the tier,
 * planned with `incrementalDelivery: { enableDefer: true }` and delivered incrementally by
 * Atrium's executor (gateway/src/execute/incremental.ts). The oracle is the stock executor on
 * the same operation with `@defer` removed: the initial result and every incremental payload,
 * merged as Apollo Client merges them, must equal it (data; errors by message, path and code).
 * Each operation may also assert the payloads themselves (their order, labels and paths).
 */
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner, type QueryPlan } from '@apollo/query-planner';
import { parse, print, visit, type ExecutionResult } from 'graphql';
import { executePlanIncrementally, type IncrementalDeferResult, type SubsequentIncrementalResult } from '../../gateway/src/execute/incremental';
import { inMemoryDataSources, type ConformanceSupergraph, type OperationFixture, type Recorded, type SupergraphFixture } from './harness';
import { errorsNullable, subgraphDown } from './supergraphs/errors';
import { nestedLists } from './supergraphs/abstract';
import { requiresArgs } from './supergraphs/entities';

/** What the client receives: the initial result, then the payloads after it (as JSON). */
export interface Delivery {
  initial: ExecutionResult & { hasNext: boolean };
  subsequent: SubsequentIncrementalResult[];
}

export interface DeferOperationFixture extends OperationFixture {
  /** What the payloads themselves must look like (beyond merging to the oracle's answer). */
  delivered: (delivery: Delivery) => void;
}

export interface DeferFixture {
  supergraph: SupergraphFixture;
  operations: DeferOperationFixture[];
}

/** The deferred items of every payload, in delivery order. */
export const items = (delivery: Delivery): IncrementalDeferResult[] => delivery.subsequent.flatMap((payload) => payload.incremental ?? []);
const at = (delivery: Delivery, label: string | undefined) => items(delivery).filter((item) => item.label === label);
const paths = (list: IncrementalDeferResult[]) => list.map((item) => item.path);

export const deferFixtures: DeferFixture[] = [
  {
    supergraph: errorsNullable,
    operations: [
      {
        name: 'entity fields from another subgraph deferred, with a label',
        query: `{ orders { id ... @defer(label: "customer") { customer { name } } } }`,
        delivered: (d) => {
          expect(d.initial).toEqual({ data: { orders: [{ id: 'o1' }, { id: 'o2' }, { id: 'o3' }] }, hasNext: true });
          expect(d.subsequent).toEqual([
            {
              incremental: [
                { data: { customer: { name: 'Ann' } }, path: ['orders', 0], label: 'customer' },
                { data: { customer: { name: 'Bo' } }, path: ['orders', 1], label: 'customer' },
                { data: { customer: { name: null } }, path: ['orders', 2], label: 'customer' },
              ],
              hasNext: false,
            },
          ]);
        },
      },
      {
        name: 'a resolver failing in the deferred part only',
        query: `{ orders { id items { title } ... @defer(label: "vip") { customer { vip } } } }`,
        errors: true,
        delivered: (d) => {
          expect(d.initial.errors).toBeUndefined();
          expect(d.initial.data).toEqual({ orders: [{ id: 'o1', items: [{ title: 'pen' }, { title: 'ink' }] }, { id: 'o2', items: [{ title: 'cursed' }] }, { id: 'o3', items: [] }] });
          const [first, second] = at(d, 'vip');
          expect(first.errors).toBeUndefined();
          expect(second).toEqual({
            data: { customer: { vip: null } },
            path: ['orders', 1],
            label: 'vip',
            errors: [expect.objectContaining({ message: 'vip status unavailable', path: ['orders', 1, 'customer', 'vip'], extensions: expect.objectContaining({ code: 'VIP_DOWN' }) })],
          });
        },
      },
      {
        name: 'two deferred parts, one failing, the other unharmed',
        query: `{ orders { id ... @defer(label: "items") { items { title price } } ... @defer(label: "customer") { customer { name } } } }`,
        errors: true,
        delivered: (d) => {
          expect(paths(at(d, 'items'))).toEqual([['orders', 0], ['orders', 1], ['orders', 2]]);
          expect(at(d, 'items').flatMap((item) => item.errors ?? []).map((e) => [e.message, e.path])).toEqual([['negative price', ['orders', 1, 'items', 0, 'price']]]);
          expect(at(d, 'customer').map((item) => item.errors)).toEqual([undefined, undefined, undefined]);
          expect(at(d, 'customer').map((item) => item.data)).toEqual([{ customer: { name: 'Ann' } }, { customer: { name: 'Bo' } }, { customer: { name: null } }]);
        },
      },
      {
        name: 'nested defer: the inner part after the outer one',
        query: `{ orders { id ... @defer(label: "outer") { customer { name ... @defer(label: "inner") { vip } } } } }`,
        errors: true,
        delivered: (d) => {
          const all = items(d);
          const lastOuter = all.map((item) => item.label).lastIndexOf('outer');
          const firstInner = all.map((item) => item.label).indexOf('inner');
          expect(lastOuter).toBeGreaterThanOrEqual(0);
          expect(firstInner).toBeGreaterThan(lastOuter);
          expect(at(d, 'outer').map((item) => item.data)).toEqual([{ customer: { name: 'Ann' } }, { customer: { name: 'Bo' } }, { customer: { name: null } }]);
          expect(paths(at(d, 'inner'))).toEqual([['orders', 0, 'customer'], ['orders', 1, 'customer'], ['orders', 2, 'customer']]);
          expect(at(d, 'inner')[1].errors?.map((e) => e.path)).toEqual([['orders', 1, 'customer', 'vip']]);
        },
      },
      {
        name: 'an unlabelled defer of root fields',
        query: `query O($id: ID!) { order(id: $id) { id } ... @defer { orders { customer { name } } } }`,
        variables: { id: 'o2' },
        delivered: (d) => {
          expect(d.initial).toEqual({ data: { order: { id: 'o2' } }, hasNext: true });
          expect(items(d)).toEqual([{ data: { orders: [{ customer: { name: 'Ann' } }, { customer: { name: 'Bo' } }, { customer: { name: null } }] }, path: [] }]);
        },
      },
      {
        name: 'everything of a list element deferred, under aliases and a type condition',
        query: `{ os: orders { ... on Order @defer(label: "c") { c: customer { n: name } } } }`,
        delivered: (d) => {
          expect(paths(at(d, 'c'))).toEqual([['os', 0], ['os', 1], ['os', 2]]);
          expect(at(d, 'c')[0].data).toEqual({ c: { n: 'Ann' } });
        },
      },
      {
        name: '@defer(if: $d) false: one result, nothing deferred',
        query: `query D($d: Boolean!) { orders { id ... @defer(if: $d, label: "maybe") { customer { name } } } }`,
        variables: { d: false },
        delivered: (d) => {
          expect(d.initial.hasNext).toBe(false);
          expect(d.initial.data).toEqual({ orders: [{ id: 'o1', customer: { name: 'Ann' } }, { id: 'o2', customer: { name: 'Bo' } }, { id: 'o3', customer: { name: null } }] });
          expect(d.subsequent).toEqual([]);
        },
      },
      {
        name: '@defer(if: $d) true: deferred',
        query: `query D($d: Boolean!) { orders { id ... @defer(if: $d, label: "maybe") { customer { name } } } }`,
        variables: { d: true },
        delivered: (d) => {
          expect(d.initial.hasNext).toBe(true);
          expect(paths(at(d, 'maybe'))).toEqual([['orders', 0], ['orders', 1], ['orders', 2]]);
        },
      },
    ],
  },
  {
    supergraph: subgraphDown,
    operations: [
      {
        name: 'a subgraph down in a deferred part',
        query: `{ orders { id items { title } ... @defer(label: "customer") { customer { name } } } }`,
        errors: true,
        delivered: (d) => {
          expect(d.initial.errors).toBeUndefined();
          expect(d.initial.hasNext).toBe(true);
          const customer = at(d, 'customer');
          expect(customer.map((item) => item.data)).toEqual([{ customer: { name: null } }, { customer: { name: null } }, { customer: { name: null } }]);
          // The fetch failed as a whole: its error (no path) is delivered once, with the part's first item.
          expect(customer.flatMap((item) => item.errors ?? []).map((e) => e.message)).toEqual(['connect ECONNREFUSED customers']);
          expect(customer[0].errors).toHaveLength(1);
        },
      },
    ],
  },
  {
    supergraph: nestedLists,
    operations: [
      {
        name: 'deferred fields in a list of lists',
        query: `{ teams { id grid { name ... @defer(label: "pay") { salary } } } }`,
        delivered: (d) => {
          const pay = at(d, 'pay');
          expect(pay.length).toBeGreaterThan(1);
          for (const item of pay) expect(item.path).toEqual(['teams', expect.any(Number), 'grid', expect.any(Number), expect.any(Number)]);
        },
      },
    ],
  },
  {
    supergraph: requiresArgs,
    operations: [
      {
        name: 'a deferred @requires field with a variable',
        query: `query Cost($zone: Int!) { parcels { id ... @defer(label: "cost") { cost(zone: $zone) label } } }`,
        variables: { zone: 3 },
        delivered: (d) => {
          expect(d.initial.hasNext).toBe(true);
          expect(at(d, 'cost').every((item) => typeof item.data?.cost === 'number')).toBe(true);
        },
      },
    ],
  },
];

/** The operation without its `@defer` directives: what the oracle runs. */
export function withoutDefer(query: string): string {
  return print(visit(parse(query), { Directive: (node) => (node.name.value === 'defer' ? null : undefined) }));
}

const deferPlanners = new WeakMap<ConformanceSupergraph, QueryPlanner>();

/** The plan of an operation by a planner that plans `@defer` (one per supergraph). */
export function planWithDefer(supergraph: ConformanceSupergraph, op: OperationFixture): { plan: QueryPlan; operation: ReturnType<typeof operationFromDocument> } {
  let planner = deferPlanners.get(supergraph);
  if (!planner) deferPlanners.set(supergraph, (planner = new QueryPlanner(supergraph.supergraph, { incrementalDelivery: { enableDefer: true } })));
  const operation = operationFromDocument(supergraph.apiSchema, parse(op.query), { operationName: op.operationName });
  return { plan: planner.buildQueryPlan(operation), operation };
}

/** Runs an operation through `executePlanIncrementally` and collects every payload, as JSON (as delivered). */
export async function deliver(fixture: SupergraphFixture, supergraph: ConformanceSupergraph, op: OperationFixture): Promise<Delivery> {
  fixture.reset?.();
  const { plan, operation } = planWithDefer(supergraph, op);
  const variables = op.variables ?? {};
  const execution = await executePlanIncrementally(plan, {
    supergraphSchema: supergraph.supergraphSchema,
    apiSchema: supergraph.apiSchema,
    operation,
    variables,
    dataSources: inMemoryDataSources(fixture, supergraph),
    requestContext: { request: { variables, operationName: op.operationName }, context: {}, metrics: {} } as unknown as GatewayGraphQLRequestContext,
  });
  const subsequent: SubsequentIncrementalResult[] = [];
  for await (const payload of execution.subsequent) subsequent.push(payload);
  return JSON.parse(JSON.stringify({ initial: execution.initial, subsequent })) as Delivery;
}

/**
 * The payloads merged into one result as Apollo Client merges them: each item's data deep-
 * merged at its path (lists by index), errors and value-completion errors gathered.
 */
export function merged(delivery: Delivery): Recorded {
  const data = structuredClone(delivery.initial.data ?? null) as Record<string, unknown> | null;
  const errors = [...(delivery.initial.errors ?? [])];
  const valueCompletion = [...((delivery.initial.extensions?.valueCompletion as typeof errors | undefined) ?? [])];
  for (const item of items(delivery)) {
    errors.push(...((item.errors ?? []) as typeof errors));
    valueCompletion.push(...(((item.extensions?.valueCompletion ?? []) as typeof errors) ?? []));
    if (item.data === null || data === null) continue;
    let patch: unknown = structuredClone(item.data);
    for (let i = item.path.length - 1; i >= 0; i--) {
      const key = item.path[i];
      const parent = (typeof key === 'number' ? [] : {}) as Record<string | number, unknown>;
      parent[key] = patch;
      patch = parent;
    }
    deepMerge(data, patch);
  }
  const record = (e: (typeof errors)[number]) => ({
    message: e.message,
    ...(e.path ? { path: [...e.path] } : {}),
    ...(e.extensions?.code !== undefined ? { code: e.extensions.code } : {}),
  });
  return { data, errors: errors.map(record), ...(valueCompletion.length ? { valueCompletion: valueCompletion.map(record) } : {}) };
}

function deepMerge(target: Record<string | number, unknown>, patch: unknown): void {
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === undefined) continue;
    const existing = target[key];
    if (existing !== null && typeof existing === 'object' && value !== null && typeof value === 'object') deepMerge(existing as Record<string, unknown>, value);
    else target[key] = value;
  }
}
