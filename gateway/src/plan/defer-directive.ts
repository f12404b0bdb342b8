import { DirectiveLocation, GraphQLBoolean, GraphQLDirective, GraphQLNonNull, GraphQLSchema, GraphQLString } from 'graphql';

/**
 * `@defer` as the incremental delivery RFC (and Apollo Client) spell it. @apollo/gateway
 * builds the API schema clients validate against without it, since its own executor cannot
 * run deferred plans; Atrium's can (execute/incremental.ts), so the gateway serves the API
 * schema with it.
 */
export const DEFER_DIRECTIVE = new GraphQLDirective({
  name: 'defer',
  description: 'Delivers the fragment after the rest of the response (multipart/mixed; deferSpec=20220824), when the client asks for parts.',
  locations: [DirectiveLocation.FRAGMENT_SPREAD, DirectiveLocation.INLINE_FRAGMENT],
  args: {
    label: { type: GraphQLString },
    if: { type: new GraphQLNonNull(GraphQLBoolean), defaultValue: true },
  },
});

const withDefer = new WeakMap<GraphQLSchema, GraphQLSchema>();

/** `schema` with `@defer` (the same object when it has one already); built once per schema. */
export function addDeferDirective(schema: GraphQLSchema): GraphQLSchema {
  if (schema.getDirective('defer')) return schema;
  let extended = withDefer.get(schema);
  if (!extended) {
    const config = schema.toConfig();
    extended = new GraphQLSchema({ ...config, directives: [...config.directives, DEFER_DIRECTIVE] });
    withDefer.set(schema, extended);
  }
  return extended;
}
