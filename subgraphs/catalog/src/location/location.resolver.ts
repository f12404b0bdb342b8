import { Scope } from '@atrium/kit';
import { RequiresScopes, type Context } from '@atrium/kit/subgraph';
import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { Location } from './location.entity';
import { CreateLocationInput } from './location.input';

@Resolver(() => Location)
export class LocationResolver {
  @Query(() => [Location], { description: 'Every location, by city then name.' })
  locations(@Ctx() { em }: Context): Promise<Location[]> {
    return em.find(Location, {}, { orderBy: { city: 'asc', name: 'asc' } });
  }

  @RequiresScopes([Scope.CATALOG_WRITE])
  @Mutation(() => Location, { description: 'MANAGER or ADMIN.' })
  async createLocation(@Arg('input') input: CreateLocationInput, @Ctx() { em, events }: Context): Promise<Location> {
    const location = em.create(Location, { ...input, city: input.city.trim(), name: input.name.trim() });
    events.record('location.created', { locationId: location.id, name: location.name, city: location.city, timezone: location.timezone });
    await em.flush();
    return location;
  }
}
