import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { MetadataStorage } from '@mikro-orm/core';
import { validateOrReject, type ValidationError } from 'class-validator';
import { getNamedType, parse, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { ArgumentValidationError, buildSchema, createResolversMap, getMetadataStorage, type NonEmptyArray, type PubSub, type ValidatorFn } from 'type-graphql';
import { secureResolvers } from './security-directives';
import { policies } from '../auth/policies';
import { referenceResolvers, type ReferenceBatch } from './context';
import { DateTimeScalar } from './graphql-types';

/**
 * The federation 2 features Atrium's subgraphs may use, imported in every subgraph's SDL,
 * and Atrium's cache hints: `@cacheControl(maxAge, scope)` on types and fields (see
 * {@link CACHE_CONTROL_DEFINITIONS}), composed into the supergraph (`@composeDirective`) so
 * the gateway reads them there.
 */
export const FEDERATION_LINK = [
  'extend schema',
  '  @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible", "@override", "@tag", "@authenticated", "@requiresScopes", "@policy", "@composeDirective"])',
  '  @link(url: "https://atrium.dev/cache/v0.1", import: ["@cacheControl"])',
  '  @composeDirective(name: "@cacheControl")',
].join('\n');

/**
 * Cache hints, as Apollo Server spells them: how long a type's or field's value may be
 * cached (`maxAge`, seconds) and whether it may be shared between callers (`PUBLIC`) or only
 * kept for the caller who asked (`PRIVATE`). The same definitions in every subgraph, or
 * composition fails. A composed directive is part of the API schema, so clients see the
 * definition (and its scope enum), as they do with Apollo Server's own `@cacheControl`.
 */
export const CACHE_CONTROL_DEFINITIONS = [
  'directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION',
  'enum CacheControlScope { PUBLIC PRIVATE }',
].join('\n');

export interface FederatedSchemaOptions {
  /** type-graphql resolver classes, listed explicitly. */
  resolvers: NonEmptyArray<Function>;
  /** Types not reachable from a resolver (entity stubs of other subgraphs, for instance). */
  orphanedTypes?: Function[];
  /**
   * Entity types this subgraph resolves by key: `{ Workspace: (ids, ctx) => rows }`.
   * Each becomes a `__resolveReference` that batches every key of a request into one call.
   */
  references?: Record<string, ReferenceBatch>;
  /** Other plain resolvers merged into the type-graphql ones. */
  extraResolvers?: GraphQLResolverMap<unknown>;
}

/** Scalars shared by every subgraph: the same name and behaviour everywhere, or composition fails. */
export const scalarsMap = [{ type: Date, scalar: DateTimeScalar }];

/**
 * class-validator on each object argument, as type-graphql runs it by default, except that
 * the error names the argument it came from: type-graphql's own `ArgumentValidationError`
 * does not, so `createErrorFormatter` could only say `email`, never `input.email`.
 *
 * A value once accepted for an argument type is not validated again: clients send the same
 * arguments over and over (`first: 20`), and class-validator's constraints — the only ones
 * Atrium uses: no custom or async validators — are functions of the value alone. The value
 * is remembered as its JSON (what GraphQL's input coercion can make differs in JSON too),
 * at most {@link MAX_ACCEPTED_VALUES} per type; a refused value is validated every time, so
 * that its errors are class-validator's own.
 */
export const validateArgument: ValidatorFn = async (value, type, { info }) => {
  if (value === null || typeof value !== 'object') return;
  let known = accepted.get(type as object);
  if (!known) accepted.set(type as object, (known = new Set()));
  const key = jsonOf(value);
  if (key !== undefined && known.has(key)) return;
  const items = (Array.isArray(value) ? value : [value]).filter((item) => item !== null && typeof item === 'object');
  try {
    await Promise.all(items.map((item) => validateOrReject(item, { skipMissingProperties: true, forbidUnknownValues: false })));
  } catch (err) {
    throw Object.assign(new ArgumentValidationError(err as ValidationError[]), { argumentName: argumentName(type, info) });
  }
  if (key !== undefined && known.size < MAX_ACCEPTED_VALUES) known.add(key);
};

/** The value as JSON, or undefined when it has none (then it is validated every time). */
function jsonOf(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** Distinct accepted values remembered per argument type. */
export const MAX_ACCEPTED_VALUES = 1_000;
const accepted = new WeakMap<object, Set<string>>();

/** The name of the argument of type `type` in the field being resolved; '' for an `@ArgsType` (its fields are the arguments). */
function argumentName(type: unknown, info: GraphQLResolveInfo): string {
  const inputType = getMetadataStorage().inputTypes.find((t) => t.target === type);
  if (!inputType) return '';
  const args = info.parentType.getFields()[info.fieldName]?.args ?? [];
  return args.find((a) => getNamedType(a.type).name === inputType.name)?.name ?? '';
}

/**
 * The fields of entity classes (MikroORM's) are read as GraphQL reads a property —
 * type-graphql's `simple` fields, no resolver at all — instead of through type-graphql's
 * per-value wrapper (a closure, a resolver-data object and a middleware chain Atrium never
 * fills: its authorization is the security directives', guarded per field by
 * `secureResolvers`). On a 20-row page that was a wrapper call per field and row, where the
 * compiled executor (graphql-jit, modules/direct-execution.ts) inlines a property read.
 * Only entities': their values are column values, never promises — a field without a
 * resolver is not awaited by graphql-jit, so a field whose value may be a promise must keep
 * a resolver. A field keeps type-graphql's wrapper when it needs it: a different property
 * name (`@Field({ name })`), middlewares (`@UseMiddleware`), roles (`@Authorized`) or an
 * explicit `simple: false`; a field resolver or getter keeps its own resolver either way.
 */
function readEntityFieldsAsProperties(): void {
  const entities = new Set<unknown>(Object.values(MetadataStorage.getMetadata()).map((meta) => meta.class));
  for (const field of (getMetadataStorage() as unknown as { fields: FieldMetadataLike[] }).fields) {
    if (!entities.has(field.target)) continue;
    field.simple ??= field.name === field.schemaName && !field.middlewares?.length && !field.roles;
  }
}

/** The part of type-graphql's field metadata `readEntityFieldsAsProperties` reads and sets. */
interface FieldMetadataLike {
  target: unknown;
  name: string;
  schemaName: string;
  middlewares?: unknown[];
  roles?: unknown[];
  simple?: boolean;
}

/**
 * type-graphql refuses a schema with subscriptions unless it is given a pub/sub, even when
 * every `@Subscription` brings its own `subscribe` — as Atrium's do, taking the Redis
 * pub/sub from the context, so that building a schema needs no Redis. This stand-in
 * satisfies the check and says so if anything ever reaches it.
 */
const contextPubSubOnly: PubSub = {
  publish() {
    throw new Error('Publish through the context: ctx.pubSub');
  },
  subscribe() {
    throw new Error('A @Subscription must declare `subscribe` and subscribe through ctx.pubSub');
  },
};

/**
 * Builds a federation 2 subgraph schema from type-graphql classes: type-graphql builds
 * the schema (skipping its own check, since federation types are added afterwards), it
 * is printed with its directives, and `buildSubgraphSchema` adds `_service`/`_entities`
 * with the resolvers merged back in. Needs no database or server, so `npm run compose`
 * can print any subgraph's SDL from its code.
 */
export async function buildFederatedSchema(options: FederatedSchemaOptions): Promise<GraphQLSchema> {
  // TypeScript applies parameter decorators last-first, so type-graphql records a method's
  // arguments in reverse and the SDL would read `setUserRoles(roles, userId)`. Declaration
  // order it is (type-graphql sorts by index itself when it calls the resolver).
  (getMetadataStorage() as unknown as { params: { index: number }[] }).params.sort((a, b) => a.index - b.index);
  readEntityFieldsAsProperties();
  const schema = await buildSchema({
    resolvers: options.resolvers,
    orphanedTypes: options.orphanedTypes,
    scalarsMap,
    validateFn: validateArgument,
    pubSub: contextPubSubOnly,
    skipCheck: true,
  });
  const typeDefs = parse(`${FEDERATION_LINK}\n\n${CACHE_CONTROL_DEFINITIONS}\n\n${printSchemaWithDirectives(schema)}`);
  const resolvers = createResolversMap(schema) as GraphQLResolverMap<unknown>;
  // The security directives' checks, in front of the resolvers they guard (security-directives.ts).
  secureResolvers(schema, resolvers as Record<string, Record<string, unknown>>, policies);
  const extras = { ...referenceResolvers(options.references ?? {}), ...options.extraResolvers } as GraphQLResolverMap<unknown>;
  for (const [typeName, extra] of Object.entries(extras)) {
    resolvers[typeName] = { ...(resolvers[typeName] as object), ...(extra as object) } as GraphQLResolverMap<unknown>[string];
  }
  return buildSubgraphSchema({ typeDefs, resolvers });
}
