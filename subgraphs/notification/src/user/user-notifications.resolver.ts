import { Authenticated, connectionType, loader } from '@atrium/kit/subgraph';
import { Args, Ctx, Directive, FieldResolver, Int, ObjectType, Resolver, Root } from 'type-graphql';
import type { NotificationContext } from '../context';
import { Notification } from '../notification/notification.entity';
import { NotificationsArgs } from '../notification/notification.input';
import { assertCanRead } from '../notification/notification.service';
import { UserExtension } from './user.extension';

@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType()
export class NotificationConnection extends connectionType(Notification, 'Notification') {}

/** Adds a user's notifications to identity's User: the user themself, or anyone with users:read. */
@Resolver(() => UserExtension)
export class UserNotificationsResolver {
  /** Batched: the pages of every user in one request load in one statement. */
  @Authenticated()
  @FieldResolver(() => NotificationConnection, { description: "Newest first. Yours, or any user's with users:read." })
  async notifications(@Root() user: UserExtension, @Args() args: NotificationsArgs, @Ctx() ctx: NotificationContext) {
    assertCanRead(ctx.caller, user.id);
    const options = { unreadOnly: args.unreadOnly ?? false, channel: args.channel, first: args.first, after: args.after };
    const key = `User.notifications:${JSON.stringify(options)}`;
    const page = await loader(ctx, key, async (ids) => {
      const pages = await ctx.notifications.listForUsers(ids, options);
      return [...pages].map(([id, connection]) => ({ id, connection }));
    }).load(user.id);
    return page?.connection ?? { edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 };
  }

  @Authenticated()
  @FieldResolver(() => Int, { description: "In-app notifications not marked read yet. Yours, or any user's with users:read." })
  async unreadNotificationCount(@Root() user: UserExtension, @Ctx() ctx: NotificationContext): Promise<number> {
    assertCanRead(ctx.caller, user.id);
    const found = await loader(ctx, 'User.unreadNotificationCount', async (ids) => {
      const counts = await ctx.notifications.unreadCounts(ids);
      return [...counts].map(([id, unread]) => ({ id, unread }));
    }).load(user.id);
    return found?.unread ?? 0;
  }
}
