import { Authenticated, type Context } from '@atrium/kit/subgraph';
import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { NotificationPreferences } from './preferences.entity';
import { UpdateNotificationPreferencesInput } from './preferences.input';
import { PreferencesService } from './preferences.service';

@Resolver(() => NotificationPreferences)
export class PreferencesResolver {
  @Authenticated()
  @Query(() => NotificationPreferences, { description: 'Your channels: e-mail and in-app on, SMS off until you change them.' })
  notificationPreferences(@Ctx() { em, caller }: Context): Promise<NotificationPreferences> {
    return new PreferencesService(em).get(caller!.userId);
  }

  @Authenticated()
  @Mutation(() => NotificationPreferences, { description: 'Changes the given fields of your preferences.' })
  updateNotificationPreferences(
    @Arg('input') input: UpdateNotificationPreferencesInput,
    @Ctx() { em, caller }: Context,
  ): Promise<NotificationPreferences> {
    return new PreferencesService(em).update(caller!.userId, input);
  }
}
