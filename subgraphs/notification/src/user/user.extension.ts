import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * identity's User, extended here with `notifications` and `unreadNotificationCount`
 * (UserNotificationsResolver). Resolvable by key: notification needs only the id.
 */
@Directive('@key(fields: "id")')
@ObjectType('User')
export class UserExtension {
  @Field(() => ID)
  id!: string;
}
