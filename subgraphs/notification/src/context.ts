import type { Context } from '@atrium/kit/subgraph';
import { NotificationService } from './notification/notification.service';
import { PreferencesService } from './preferences/preferences.service';

/** kit's request context plus notification's services, bound to the request's entity manager. */
export interface NotificationContext extends Context {
  notifications: NotificationService;
  preferences: PreferencesService;
}

/** Builds the services of one request (cheap objects: state lives in `em`). */
export function notificationContext(base: Context): NotificationContext {
  return { ...base, notifications: new NotificationService(base.em), preferences: new PreferencesService(base.em) };
}
