import { ApolloGateway, type GatewayConfig as ApolloGatewayConfig } from '@apollo/gateway';
import type { GatewayInterface, GatewayLoadResult } from '@apollo/server-gateway-interface';
import { DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import type { Caller } from '@atrium/kit';
import type { GraphQLSchema } from 'graphql';
import { createAuthorizer, type Authorizer, type PolicyRegistry } from '../authorize';
import type { QueryPlanner } from '@apollo/query-planner';
import { apolloGatewayInternals } from '../execute/apollo-internals';
import { readCacheHints, type CacheHints } from './cache-policy';
import { addDeferDirective } from './defer-directive';
import { authorizedExecutor, planExecutor, type ExecutorKind } from '../execute/authorized-executor';
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
    // Always set by the supergraph module (off in production, like @apollo/gateway's own default).
    const validateSupergraph = (this.config as { validateSupergraph?: boolean }).validateSupergraph ?? true;
    const supergraph = Supergraph.build(supergraphSdl, { supportedFeatures: SUPPORTED_FEATURES, validateSupergraph });
    this.createServices(supergraph.subgraphsMetadata());
    return { supergraph, supergraphSdl };
  },
});

/**
 * The gateway Apollo Server runs: @apollo/gateway loads and validates the supergraph and
 * plans operations (with its plan cache); each loaded supergraph gets its authorizer, and
 * every operation runs through it (execute/authorized-executor.ts: fields the caller may not
 * see are removed before planning and come back `null` with an error at their paths).
 */
export class AuthorizingGateway implements GatewayInterface {
  readonly inner: ApolloGateway;
  /** Plans (and completes the events of) subscriptions, which @apollo/gateway cannot execute. */
  readonly subscriptionPlanner: SubscriptionPlanner;
  private current: Authorizer<Caller> | undefined;
  /** The API schema clients see (what operations are validated against). */
  schema: GraphQLSchema | undefined;
  /** The `@cacheControl` hints of the loaded supergraph (plan/cache-policy.ts). */
  cacheHints: CacheHints | undefined;

  constructor(
    config: ApolloGatewayConfig,
    private readonly policies: PolicyRegistry<Caller>,
    /** Called each time a query plan is computed (not served from the plan cache): how tests see re-planning. */
    onPlanBuilt?: () => void,
    /** What executes the plans (`EXECUTOR`). */
    private readonly executorKind: ExecutorKind = 'atrium',
  ) {
    this.inner = new SecurityAwareGateway(config);
    this.subscriptionPlanner = new SubscriptionPlanner(this.inner);
    // Registered before Apollo Server's own listener, so the authorizer always matches
    // the schema that requests are validated against.
    this.inner.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
      this.current = createAuthorizer(coreSupergraphSdl, this.policies);
      this.cacheHints = readCacheHints(coreSupergraphSdl);
      this.schema = apiSchema;
      this.subscriptionPlanner.reset();
      // The planner is new with each supergraph; count what it builds (the gateway asks it only on a plan-cache miss).
      const planner = apolloGatewayInternals(this.inner).queryPlanner as QueryPlanner | undefined;
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
    return { executor: executor && authorizedExecutor(planExecutor(this.executorKind, this.inner, executor), () => this.authorizer()) };
  }

  /** Listeners (Apollo Server's among them) get the API schema with `@defer` when Atrium's executor runs the plans. */
  onSchemaLoadOrUpdate(callback: Parameters<GatewayInterface['onSchemaLoadOrUpdate']>[0]) {
    if (this.executorKind !== 'atrium') return this.inner.onSchemaLoadOrUpdate(callback);
    return this.inner.onSchemaLoadOrUpdate((update) => callback({ ...update, apiSchema: addDeferDirective(update.apiSchema) }));
  }

  stop() {
    return this.inner.stop();
  }
}
