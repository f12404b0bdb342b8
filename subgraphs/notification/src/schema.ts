import { buildFederatedSchema } from '@atrium/kit/subgraph';
import type { NotificationContext } from './context';
import { NotificationResolver } from './notification/notification.resolver';
import { PreferencesResolver } from './preferences/preferences.resolver';
import { UserNotificationsResolver } from './user/user-notifications.resolver';
import { UserExtension } from './user/user.extension';

/** notification's subgraph schema; needs no database, so `npm run compose` can print it. */
export function buildSchema() {
  return buildFederatedSchema({
    resolvers: [NotificationResolver, UserNotificationsResolver, PreferencesResolver],
    orphanedTypes: [UserExtension],
    references: {
      // Any user id: notification keeps no user rows of its own to look up.
      User: async (ids) => ids.map((id) => ({ id })),
      Notification: (ids, ctx) => (ctx as NotificationContext).notifications.byIds(ids, ctx.caller),
    },
  });
}
