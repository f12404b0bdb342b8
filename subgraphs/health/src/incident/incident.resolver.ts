import { Scope } from '@atrium/kit';
import { connectionType, PageArgs, RequiresScopes } from '@atrium/kit/subgraph';
import { Args, ArgsType, Ctx, Directive, Field, FieldResolver, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { HealthContext } from '../context';
import { Incident } from './incident.entity';

@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType()
export class IncidentConnection extends connectionType(Incident, 'Incident') {}

@ArgsType()
export class IncidentArgs extends PageArgs {
  @Field({ defaultValue: false, description: 'Only incidents not yet resolved' })
  openOnly!: boolean;
}

@Resolver(() => Incident)
export class IncidentResolver {
  @RequiresScopes([Scope.SYSTEM_ADMIN])
  // Nullable, like every field a caller may be refused: a refusal nulls this field, not the response.
  @Query(() => IncidentConnection, { nullable: true, description: 'Periods during which a service was DOWN, newest first. ADMIN.' })
  incidents(@Args() { first, after, openOnly }: IncidentArgs, @Ctx() ctx: HealthContext) {
    return ctx.incidents.list(first, after, openOnly);
  }

  @FieldResolver(() => Boolean, { description: 'Still unresolved: the service is DOWN.' })
  open(@Root() incident: Incident): boolean {
    return incident.resolvedAt === null;
  }
}
