import { forbidden, Role } from '@atrium/kit';
import { Authenticated, nodeFields, PageArgs, RequiresPolicy, RequiresScopes, connectionType } from '@atrium/kit/subgraph';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, Directive, FieldResolver, ID, Info, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { IdentityContext } from '../context';
import { User } from './user.entity';
import { UpdateProfileInput } from './user.input';
import { canReadPrivateFields } from './user.service';

@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType()
export class UserConnection extends connectionType(User, 'User') {}

/** What this resolver's field resolvers read of a user (a page selects only what its fields read: kit's nodeFields); `id` is always read. */
const USER_READS = { email: ['email'], mfaEnabled: ['mfaEnabled'] };

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { nullable: true, description: 'The signed-in user' })
  @Authenticated()
  me(@Ctx() ctx: IdentityContext): Promise<User | null> {
    return ctx.users.byId(ctx.caller!.userId);
  }

  @Query(() => User, { nullable: true, description: 'A user: yourself, or anyone with users:read' })
  @RequiresPolicy(['self_or_admin'])
  user(@Arg('id', () => ID) id: string, @Ctx() ctx: IdentityContext): Promise<User | null> {
    return ctx.users.read(id);
  }

  // Nullable, like every field a caller may be refused: a refusal nulls this field, not the response.
  @Query(() => UserConnection, { nullable: true, description: 'Every user, oldest first' })
  @RequiresScopes(['users:read'])
  users(@Args() page: PageArgs, @Ctx() ctx: IdentityContext, @Info() info: GraphQLResolveInfo) {
    return ctx.users.list(page, nodeFields(info, USER_READS));
  }

  @Mutation(() => User)
  @Authenticated()
  updateProfile(@Arg('input') input: UpdateProfileInput, @Ctx() ctx: IdentityContext): Promise<User> {
    return ctx.users.updateProfile(ctx.caller!.userId, input);
  }

  @Mutation(() => User, { description: "Replaces a user's roles; you cannot remove your own ADMIN role" })
  @RequiresScopes(['users:admin'])
  async setUserRoles(
    @Arg('userId', () => ID) userId: string,
    @Arg('roles', () => [Role]) roles: Role[],
    @Ctx() ctx: IdentityContext,
  ): Promise<User> {
    const user = await ctx.users.setRoles(ctx.caller!, userId, roles);
    ctx.log.info({ userId, roles: user.roles, by: ctx.caller!.userId }, 'user roles changed');
    return user;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Visible to the user themself and to callers with users:read' })
  @Authenticated()
  email(@Root() user: User, @Ctx() ctx: IdentityContext): string {
    if (!canReadPrivateFields(ctx.caller, user)) throw forbidden("Only the user themself or an admin may read a user's email");
    return user.email;
  }

  @FieldResolver(() => Boolean, { nullable: true, description: 'Visible to the user themself and to callers with users:read' })
  @Authenticated()
  mfaEnabled(@Root() user: User, @Ctx() ctx: IdentityContext): boolean {
    if (!canReadPrivateFields(ctx.caller, user)) throw forbidden("Only the user themself or an admin may see a user's MFA status");
    return user.mfaEnabled;
  }
}
