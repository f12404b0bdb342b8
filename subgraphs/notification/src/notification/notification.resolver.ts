import { Authenticated } from '@atrium/kit/subgraph';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { NotificationContext } from '../context';
import { UserExtension } from '../user/user.extension';
import { Notification } from './notification.entity';
import { notificationFromState, notificationsFor, type NotificationState } from './notification.live';

@Resolver(() => Notification)
export class NotificationResolver {
  @Authenticated()
  @Mutation(() => Notification, { description: 'Marks one of your notifications read.' })
  markNotificationRead(@Arg('id', () => ID) id: string, @Ctx() ctx: NotificationContext): Promise<Notification> {
    return ctx.notifications.markRead(ctx.caller!, id);
  }

  @Authenticated()
  @Mutation(() => Int, { description: 'Marks all your in-app notifications read; returns how many were unread.' })
  markAllNotificationsRead(@Ctx() ctx: NotificationContext): Promise<number> {
    return ctx.notifications.markAllRead(ctx.caller!.userId);
  }

  @Authenticated()
  @Subscription(() => Notification, {
    description: 'Each notification made for you (every channel), as it is stored.',
    subscribe: ({ context }: SubscribeResolverData<unknown, object, NotificationContext>) => notificationsFor(context),
  })
  notificationReceived(@Root() state: NotificationState): Notification {
    return notificationFromState(state);
  }

  @FieldResolver(() => UserExtension, { description: 'Whom it is for.' })
  user(@Root() notification: Notification): UserExtension {
    return { id: notification.userId };
  }
}
