import { Authenticated, type Context } from '@atrium/kit/subgraph';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { UserExtension } from '../user/user.extension';
import { Notification } from './notification.entity';
import { notificationFromState, notificationsFor, type NotificationState } from './notification.live';
import { NotificationService } from './notification.service';

@Resolver(() => Notification)
export class NotificationResolver {
  @Authenticated()
  @Mutation(() => Notification, { description: 'Marks one of your notifications read.' })
  markNotificationRead(@Arg('id', () => ID) id: string, @Ctx() { em, caller }: Context): Promise<Notification> {
    return new NotificationService(em).markRead(caller!, id);
  }

  @Authenticated()
  @Mutation(() => Int, { description: 'Marks all your in-app notifications read; returns how many were unread.' })
  markAllNotificationsRead(@Ctx() { em, caller }: Context): Promise<number> {
    return new NotificationService(em).markAllRead(caller!.userId);
  }

  @Authenticated()
  @Subscription(() => Notification, {
    description: 'Each notification made for you (every channel), as it is stored.',
    subscribe: ({ context }: SubscribeResolverData<unknown, object, Context>) => notificationsFor(context),
  })
  notificationReceived(@Root() state: NotificationState): Notification {
    return notificationFromState(state);
  }

  @FieldResolver(() => UserExtension, { description: 'Whom it is for.' })
  user(@Root() notification: Notification): UserExtension {
    return { id: notification.userId };
  }
}
