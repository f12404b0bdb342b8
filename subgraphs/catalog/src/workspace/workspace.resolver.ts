import { Scope } from '@atrium/kit';
import { connectionType, loader, RequiresScopes, toConnection, type Context } from '@atrium/kit/subgraph';
import { Arg, Args, Ctx, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Location } from '../location/location.entity';
import { UserStub } from '../user/user.stub';
import { Workspace } from './workspace.entity';
import { CreateWorkspaceInput, UpdateWorkspaceInput, WorkspacesArgs } from './workspace.input';
import { WorkspaceService } from './workspace.service';

@ObjectType()
export class WorkspaceConnection extends connectionType(Workspace, 'Workspace') {}

@Resolver(() => Workspace)
export class WorkspaceResolver {
  @Query(() => WorkspaceConnection, { description: 'Search active workspaces; `filter` narrows, `first`/`after` page.' })
  async workspaces(@Args() { filter, first, after }: WorkspacesArgs, @Ctx() { em, caller }: Context) {
    return new WorkspaceService(em).search(filter, first, after, caller);
  }

  @Query(() => Workspace, { nullable: true })
  workspace(@Arg('id', () => ID) id: string, @Ctx() { em }: Context) {
    return new WorkspaceService(em).get(id);
  }

  @RequiresScopes([Scope.CATALOG_WRITE])
  @Mutation(() => Workspace, { description: 'MANAGER or ADMIN.' })
  createWorkspace(@Arg('input') input: CreateWorkspaceInput, @Ctx() { em, caller, events }: Context) {
    return new WorkspaceService(em, events).create(input, caller!);
  }

  @RequiresScopes([Scope.CATALOG_WRITE])
  @Mutation(() => Workspace, { description: 'MANAGER or ADMIN.' })
  updateWorkspace(@Arg('id', () => ID) id: string, @Arg('input') input: UpdateWorkspaceInput, @Ctx() { em, events }: Context) {
    return new WorkspaceService(em, events).update(id, input);
  }

  @RequiresScopes([Scope.CATALOG_WRITE])
  @Mutation(() => Workspace, { description: 'MANAGER or ADMIN. Archived workspaces are no longer listed or bookable.' })
  archiveWorkspace(@Arg('id', () => ID) id: string, @Ctx() { em, events }: Context) {
    return new WorkspaceService(em, events).archive(id);
  }

  /** Batched: the locations of a whole page load in one statement. */
  @FieldResolver(() => Location)
  async location(@Root() workspace: Workspace, @Ctx() ctx: Context): Promise<Location> {
    const found = await loader(ctx, 'Location', (ids) => ctx.em.find(Location, { id: ids as string[] })).load(workspace.location.id);
    return found!;
  }

  /** A reference into identity: the gateway fetches the user's fields from there. */
  @FieldResolver(() => UserStub, { nullable: true })
  createdBy(@Root() workspace: Workspace): UserStub {
    return { id: workspace.createdById };
  }
}
