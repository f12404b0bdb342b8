import { ApolloGateway, type GatewayConfig as ApolloGatewayConfig } from '@apollo/gateway';
import type { GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface, GatewayLoadResult } from '@apollo/server-gateway-interface';
import { DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import type { Caller } from '@atrium/kit';
import { createAuthorizer, type Authorizer, type PolicyRegistry } from '../authorize';
import type { GatewayContext } from '../context';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { asGraphQLError } from '../errors';
import { SubscriptionPlanner } from '../subscriptions/event-plan';

/**
 * The security specs this gateway enforces itself (see authorize/). @apollo/gateway
 * rightly refuses supergraphs that use them, since it would ignore them; this gateway
 * accepts them only because every operation passes through the authorizer first.
 */
export const ENFORCED_SECURITY_FEATURES = [
  'https://specs.apollo.dev/authenticated/v0.1',
  'https://specs.apollo.dev/requiresScopes/v0.1',
  'https://specs.apollo.dev/policy/v0.1',
];
const SUPPORTED_FEATURES = new Set([...DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES, ...ENFORCED_SECURITY_FEATURES]);

/** An ApolloGateway that loads supergraphs using the security specs enforced here. */
class SecurityAwareGateway extends ApolloGateway {}
// The method is private in @apollo/gateway's typings; overriding it is the one place that
// decides which supergraph features are accepted.
Object.defineProperty(SecurityAwareGateway.prototype, 'createSchemaFromSupergraphSdl', {
  value: function (this: { config: ApolloGatewayConfig; createServices(m: unknown): void }, supergraphSdl: string) {
    // Always set by createGateway (off in production, like @apollo/gateway's own default).
    const validateSupergraph = (this.config as { validateSupergraph?: boolean }).validateSupergraph ?? true;
    const supergraph = Supergraph.build(supergraphSdl, { supportedFeatures: SUPPORTED_FEATURES, validateSupergraph });
    this.createServices(supergraph.subgraphsMetadata());
    return { supergraph, supergraphSdl };
  },
});

/** Why no operation could be picked, in graphql-js's words. */
const unresolvedOperation = (operationName: string | null | undefined) =>
  new GraphQLError(
    operationName != null ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.',
  );

/**
 * Field-level authorization around @apollo/gateway: before planning, fields the caller
 * may not see are removed from the operation (so no subgraph is asked for them); after
 * execution they come back as `null` with UNAUTHENTICATED / FORBIDDEN errors at their
 * paths. Filtered operations get their own query-plan cache key.
 */
export class AuthorizingGateway implements GatewayInterface {
  readonly inner: ApolloGateway;
  /** Plans (and completes the events of) subscriptions, which @apollo/gateway cannot execute. */
  readonly subscriptionPlanner: SubscriptionPlanner;
  private current: Authorizer<Caller> | undefined;
  /** The API schema clients see (what operations are validated against). */
  schema: GraphQLSchema | undefined;

  constructor(
    config: ApolloGatewayConfig,
    private readonly policies: PolicyRegistry<Caller>,
    /** Called each time a query plan is computed (not served from the plan cache): how tests see re-planning. */
    onPlanBuilt?: () => void,
  ) {
    this.inner = new SecurityAwareGateway(config);
    this.subscriptionPlanner = new SubscriptionPlanner(this.inner);
    // Registered before Apollo Server's own listener, so the authorizer always matches
    // the schema that requests are validated against.
    this.inner.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
      this.current = createAuthorizer(coreSupergraphSdl, this.policies);
      this.schema = apiSchema;
      this.subscriptionPlanner.reset();
      // The planner is new with each supergraph; count what it builds (the gateway asks it only on a plan-cache miss).
      const planner = (this.inner as unknown as { queryPlanner?: { buildQueryPlan: (...args: unknown[]) => unknown } }).queryPlanner;
      if (planner && onPlanBuilt) {
        const build = planner.buildQueryPlan.bind(planner);
        planner.buildQueryPlan = (...args) => {
          onPlanBuilt();
          return build(...args);
        };
      }
    });
  }

  /** The authorizer of the loaded supergraph. */
  authorizer(): Authorizer<Caller> {
    if (!this.current) throw new Error('supergraph not loaded');
    return this.current;
  }

  async load(options: Parameters<GatewayInterface['load']>[0]): Promise<GatewayLoadResult> {
    const { executor } = await this.inner.load(options);
    return { executor: executor && this.authorize(executor) };
  }

  onSchemaLoadOrUpdate(callback: Parameters<GatewayInterface['onSchemaLoadOrUpdate']>[0]) {
    return this.inner.onSchemaLoadOrUpdate(callback);
  }

  stop() {
    return this.inner.stop();
  }

  private authorize(execute: GatewayExecutor): GatewayExecutor {
    return async (requestContext: GatewayGraphQLRequestContext) => {
      // Several operations and no operationName, or an unknown one: Apollo Server resolved
      // none and leaves it to execution, where @apollo/gateway throws (a 500 with a stack in
      // the log). Answered with errors, Apollo Server makes it a 400 OPERATION_RESOLUTION_FAILURE.
      if (!requestContext.operation) return { errors: [unresolvedOperation(requestContext.request.operationName)] };
      const authorizer = this.authorizer();
      const { caller } = requestContext.context as unknown as GatewayContext;
      const decision = authorizer.authorize({
        document: requestContext.document,
        operationName: requestContext.request.operationName,
        variables: requestContext.request.variables,
        caller,
      });
      if (decision.document === requestContext.document && !decision.skipExecution) return execute(requestContext);
      const result = decision.skipExecution
        ? {}
        : await execute({ ...requestContext, document: decision.document, queryHash: `${requestContext.queryHash}:${decision.signature}` });
      const completed = decision.complete(result as Parameters<typeof decision.complete>[0]);
      return {
        ...result,
        data: completed.data,
        errors: completed.errors?.map(asGraphQLError),
      };
    };
  }
}
