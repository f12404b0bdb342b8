/**
 * Field-level authorization for the gateway: enforces the supergraph's `@authenticated`,
 * `@requiresScopes` and `@policy` directives before query planning, the way Apollo Router does.
 * Refused fields are removed from the operation (so no subgraph is asked for them) and come
 * back as `null` with an `UNAUTHENTICATED` / `FORBIDDEN` error at their response path.
 *
 * ```ts
 * const authorizer = createAuthorizer(supergraphSdl, { owner: ({ caller, args }) => args.id === caller?.userId });
 * const decision = authorizer.authorize({ document, operationName, variables, caller });
 * const result = decision.skipExecution ? {} : await execute(decision.document, planCacheKey + decision.signature);
 * return decision.complete(result);
 * ```
 */
export { createAuthorizer } from './authorizer';
export type * from './types';
