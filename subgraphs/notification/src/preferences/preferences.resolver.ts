import { Authenticated } from '@atrium/kit/subgraph';
import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { NotificationContext } from '../context';
import { NotificationPreferences } from './preferences.entity';
import { UpdateNotificationPreferencesInput } from './preferences.input';

@Resolver(() => NotificationPreferences)
export class PreferencesResolver {
  @Authenticated()
  @Query(() => NotificationPreferences, { description: 'Your channels: e-mail and in-app on, SMS off until you change them.' })
  notificationPreferences(@Ctx() ctx: NotificationContext): Promise<NotificationPreferences> {
    return ctx.preferences.get(ctx.caller!.userId);
  }

  @Authenticated()
  @Mutation(() => NotificationPreferences, { description: 'Changes the given fields of your preferences.' })
  updateNotificationPreferences(
    @Arg('input') input: UpdateNotificationPreferencesInput,
    @Ctx() ctx: NotificationContext,
  ): Promise<NotificationPreferences> {
    return ctx.preferences.update(ctx.caller!.userId, input);
  }
}
