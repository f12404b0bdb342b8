import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { atriumTracer, failed, tracingOn } from './telemetry';

const TRACED = Symbol('atrium.telemetry.traced');

/**
 * Makes every root field of `schema` (Query and Mutation: `booking`, `payForBooking`,
 * `_entities`…) resolve in a span of its own, `Query.booking` say — the resolvers worth seeing,
 * without a span per field — so the SQL and events of a resolver are its children. Wraps the
 * resolvers in place (once, whatever the number of calls) and returns `schema`; a wrapped
 * resolver calls the original alone while the process does not trace.
 */
export function traceRootFields(schema: GraphQLSchema): GraphQLSchema {
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    if (!type) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      if ((resolve as { [TRACED]?: true })[TRACED]) continue;
      const name = `${type.name}.${field.name}`;
      const traced: GraphQLFieldResolver<unknown, unknown> = (source, args, ctx, info) => {
        if (!tracingOn()) return resolve(source, args, ctx, info);
        const attributes = { 'graphql.field.name': field.name, 'graphql.field.parent_type': type.name, ...(info.operation.name ? { 'graphql.operation.name': info.operation.name.value } : {}) };
        return atriumTracer().startActiveSpan(name, { attributes }, (span) => {
          const settle = <T>(value: T) => {
            span.end();
            return value;
          };
          const fail = (err: unknown) => {
            failed(span, err);
            span.end();
            throw err;
          };
          try {
            const result = resolve(source, args, ctx, info);
            return result instanceof Promise ? result.then(settle, fail) : settle(result);
          } catch (err) {
            return fail(err);
          }
        });
      };
      Object.assign(traced, { [TRACED]: true });
      field.resolve = traced;
    }
  }
  return schema;
}
