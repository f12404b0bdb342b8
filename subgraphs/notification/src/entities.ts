import { Notification } from './notification/notification.entity';
import { NotificationPreferences } from './preferences/preferences.entity';
import { Recipient } from './recipient/recipient.entity';

export const entities = [Notification, NotificationPreferences, Recipient];
