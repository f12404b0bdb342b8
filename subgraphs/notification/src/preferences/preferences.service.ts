import { badInput } from '@atrium/kit';
import { type EntityManager } from '@atrium/kit/subgraph';
import { LockMode } from '@mikro-orm/core';
import { DEFAULT_PREFERENCES, NotificationPreferences } from './preferences.entity';
import type { UpdateNotificationPreferencesInput } from './preferences.input';

const E164 = /^\+[1-9]\d{6,14}$/;

/** "+33 6 12-34.56 78" → "+33612345678"; anything that is not then E.164 is refused. */
export function normalizePhone(phone: string): string {
  const compact = phone.replace(/[\s().-]/g, '');
  if (!E164.test(compact)) throw badInput('input.phone', 'must be an international phone number such as +33612345678');
  return compact;
}

export class PreferencesService {
  constructor(private readonly em: EntityManager) {}

  /** The user's preferences: the stored ones, or the defaults (not stored) when they never changed any. */
  async get(userId: string): Promise<NotificationPreferences> {
    return (await this.em.findOne(NotificationPreferences, { userId })) ?? Object.assign(new NotificationPreferences(), { userId });
  }

  /**
   * Applies the given fields. The row is created from the defaults if missing and locked
   * while it changes, so concurrent updates of different fields all stick.
   */
  async update(userId: string, input: UpdateNotificationPreferencesInput): Promise<NotificationPreferences> {
    // undefined: leave as it is; null or blank: remove the number.
    const phone = input.phone === undefined ? undefined : input.phone?.trim() ? normalizePhone(input.phone) : null;
    return this.em.transactional(async (em) => {
      await em.execute(
        `insert into "notification_preferences" ("user_id", "email", "sms", "in_app", "phone", "updated_at") values (?, ?, ?, ?, null, now()) on conflict ("user_id") do nothing`,
        [userId, DEFAULT_PREFERENCES.email, DEFAULT_PREFERENCES.sms, DEFAULT_PREFERENCES.inApp],
      );
      const preferences = await em.findOneOrFail(NotificationPreferences, { userId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      if (input.email != null) preferences.email = input.email;
      if (input.sms != null) preferences.sms = input.sms;
      if (input.inApp != null) preferences.inApp = input.inApp;
      if (phone !== undefined) preferences.phone = phone;
      preferences.updatedAt = new Date();
      return preferences;
    });
  }
}
