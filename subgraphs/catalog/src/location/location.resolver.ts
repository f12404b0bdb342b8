import { Scope } from '@atrium/kit';
import { RequiresScopes } from '@atrium/kit/subgraph';
import { Arg, Ctx, Directive, Mutation, Query, Resolver } from 'type-graphql';
import type { CatalogContext } from '../context';
import { Location } from './location.entity';
import { CreateLocationInput } from './location.input';

@Resolver(() => Location)
export class LocationResolver {
  @Directive('@cacheControl(maxAge: 60, scope: PUBLIC)')
  @Query(() => [Location], { description: 'Every location, by city then name.' })
  locations(@Ctx() ctx: CatalogContext): Promise<Location[]> {
    return ctx.locations.list();
  }

  @RequiresScopes([Scope.CATALOG_WRITE])
  @Mutation(() => Location, { description: 'MANAGER or ADMIN.' })
  createLocation(@Arg('input') input: CreateLocationInput, @Ctx() ctx: CatalogContext): Promise<Location> {
    return ctx.locations.create(input);
  }
}
