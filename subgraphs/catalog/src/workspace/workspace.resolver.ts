import { Scope } from '@atrium/kit';
import { connectionType, loader, nodeFields, RequiresScopes } from '@atrium/kit/subgraph';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, Directive, FieldResolver, ID, Info, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { CatalogContext } from '../context';
import { Location } from '../location/location.entity';
import { UserStub } from '../user/user.stub';
import { Workspace } from './workspace.entity';
import { CreateWorkspaceInput, UpdateWorkspaceInput, WorkspacesArgs } from './workspace.input';

@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType()
export class WorkspaceConnection extends connectionType(Workspace, 'Workspace') {}

/** What this resolver's field resolvers read of a workspace (a page selects only what its fields read: kit's nodeFields). */
const WORKSPACE_READS = { location: ['location'], createdBy: ['createdById'] };

@Resolver(() => Workspace)
export class WorkspaceResolver {
  // The catalog is public: a search may be cached a minute (a root field needs its own hint; its connection inherits it).
  @Directive('@cacheControl(maxAge: 60, scope: PUBLIC)')
  @Query(() => WorkspaceConnection, { description: 'Search active workspaces; `filter` narrows, `first`/`after` page.' })
  workspaces(@Args() { filter, first, after }: WorkspacesArgs, @Ctx() ctx: CatalogContext, @Info() info: GraphQLResolveInfo) {
    return ctx.workspaces.search(filter, first, after, ctx.caller, nodeFields(info, WORKSPACE_READS));
  }

  @Query(() => Workspace, { nullable: true })
  workspace(@Arg('id', () => ID) id: string, @Ctx() ctx: CatalogContext) {
    return ctx.workspaces.get(id);
  }

  @RequiresScopes([Scope.CATALOG_WRITE])
  @Mutation(() => Workspace, { description: 'MANAGER or ADMIN.' })
  createWorkspace(@Arg('input') input: CreateWorkspaceInput, @Ctx() ctx: CatalogContext) {
    return ctx.workspaces.create(input, ctx.caller!);
  }

  @RequiresScopes([Scope.CATALOG_WRITE])
  @Mutation(() => Workspace, { description: 'MANAGER or ADMIN.' })
  updateWorkspace(@Arg('id', () => ID) id: string, @Arg('input') input: UpdateWorkspaceInput, @Ctx() ctx: CatalogContext) {
    return ctx.workspaces.update(id, input);
  }

  @RequiresScopes([Scope.CATALOG_WRITE])
  @Mutation(() => Workspace, { description: 'MANAGER or ADMIN. Archived workspaces are no longer listed or bookable.' })
  archiveWorkspace(@Arg('id', () => ID) id: string, @Ctx() ctx: CatalogContext) {
    return ctx.workspaces.archive(id);
  }

  /** Batched: the locations of a whole page load in one statement. */
  @FieldResolver(() => Location)
  async location(@Root() workspace: Workspace, @Ctx() ctx: CatalogContext): Promise<Location> {
    const found = await loader(ctx, 'Location', (ids) => ctx.locations.byIds(ids)).load(workspace.location.id);
    return found!;
  }

  /** A reference into identity: the gateway fetches the user's fields from there. */
  @FieldResolver(() => UserStub, { nullable: true })
  createdBy(@Root() workspace: Workspace): UserStub {
    return { id: workspace.createdById };
  }
}
