import { Authenticated } from '@atrium/kit/subgraph';
import { Ctx, FieldResolver, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { HealthContext } from '../context';
import { ServiceStatus } from './service-status.entity';
import { serviceHealthChangesFor, serviceStatusFromState, type ServiceStatusState } from './status.live';

@Resolver(() => ServiceStatus)
export class ServiceStatusResolver {
  @Authenticated()
  @Query(() => [ServiceStatus], { description: 'Every monitored subgraph and the gateway, as the last poll saw them. Any signed-in user.' })
  services(@Ctx() ctx: HealthContext): Promise<ServiceStatus[]> {
    return ctx.statuses.list(ctx.targets);
  }

  @Authenticated()
  @Subscription(() => ServiceStatus, {
    description: 'Each change of a monitored service\'s status (its first observation included), as the monitor records it. Any signed-in user.',
    subscribe: ({ context }: SubscribeResolverData<unknown, object, HealthContext>) => serviceHealthChangesFor(context),
  })
  serviceHealthChanged(@Root() state: ServiceStatusState): ServiceStatus {
    return serviceStatusFromState(state);
  }

  @FieldResolver(() => String, { nullable: true, description: 'The base URL polled (its /ready); null for a service no longer monitored.' })
  url(@Root() service: ServiceStatus, @Ctx() ctx: HealthContext): string | null {
    return ctx.targets.find((t) => t.name === service.name)?.url ?? null;
  }
}
