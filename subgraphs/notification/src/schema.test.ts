import { inspectSubgraph, type SubgraphSdl } from '@atrium/kit/testing';
import { buildSchema } from './schema';

/** The subgraph's SDL: what composition and the gateway's authorization see. */
describe('notification schema', () => {
  let s: SubgraphSdl;
  beforeAll(async () => {
    s = await inspectSubgraph(buildSchema());
  });

  it('adds notifications and the unread count to identity’s User, for signed-in callers only', () => {
    expect(s.oneLine(s.definition('User'))).toMatch(/^type User @key\(fields: "id"\) \{/);
    expect(s.field('User', 'notifications')).toBe(
      'notifications(first: Int! = 20, after: String, unreadOnly: Boolean = false, channel: NotificationChannel = IN_APP): NotificationConnection! @authenticated',
    );
    expect(s.field('User', 'unreadNotificationCount')).toBe('unreadNotificationCount: Int! @authenticated');
  });

  it('declares Notification as an entity with the contract’s fields and enums', () => {
    expect(s.oneLine(s.definition('Notification'))).toMatch(/^type Notification @key\(fields: "id"\) @cacheControl\(maxAge: 30, scope: PRIVATE\) \{/);
    for (const name of ['id: ID!', 'kind: NotificationKind!', 'channel: NotificationChannel!', 'title: String!', 'body: String!', 'readAt: DateTime', 'createdAt: DateTime!', 'status: NotificationStatus!']) {
      expect(s.field('Notification', name.split(':')[0])).toBe(name);
    }
    expect(s.oneLine(s.definition('NotificationKind'))).toBe(
      'enum NotificationKind { WELCOME BOOKING_CONFIRMED BOOKING_PAYMENT_FAILED BOOKING_EXPIRED BOOKING_CANCELLED PAYMENT_RECEIVED PAYMENT_REFUNDED SERVICE_DOWN SERVICE_UP }',
    );
    expect(s.oneLine(s.definition('NotificationChannel'))).toBe('enum NotificationChannel { EMAIL SMS IN_APP }');
    expect(s.oneLine(s.definition('NotificationStatus'))).toBe('enum NotificationStatus { PENDING SENT FAILED }');
  });

  it('never exposes delivery internals (address, event id, HTML) as fields', () => {
    expect(s.oneLine(s.definition('Notification'))).not.toMatch(/address|eventId|html|userId/);
  });

  it('guards every operation with @authenticated', () => {
    expect(s.field('Mutation', 'markNotificationRead')).toBe('markNotificationRead(id: ID!): Notification! @authenticated');
    expect(s.field('Mutation', 'markAllNotificationsRead')).toBe('markAllNotificationsRead: Int! @authenticated');
    expect(s.field('Query', 'notificationPreferences')).toBe('notificationPreferences: NotificationPreferences! @authenticated');
    expect(s.field('Mutation', 'updateNotificationPreferences')).toBe(
      'updateNotificationPreferences(input: UpdateNotificationPreferencesInput!): NotificationPreferences! @authenticated',
    );
    expect(s.oneLine(s.definition('UpdateNotificationPreferencesInput'))).toBe(
      'input UpdateNotificationPreferencesInput { email: Boolean sms: Boolean inApp: Boolean phone: String }',
    );
  });
});
