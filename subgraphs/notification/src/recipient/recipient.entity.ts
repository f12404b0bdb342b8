import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * notification's replica of an identity user, kept from `user.registered` (and its roles
 * from `user.roles_changed`): where e-mail
 * goes and how to greet them, without ever reading identity's database.
 */
@Entity({ tableName: 'recipient' })
export class Recipient {
  [OptionalProps]?: 'updatedAt' | 'roles';

  /** identity's user id. */
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  email!: string;

  @Property({ type: 'text' })
  name!: string;

  /** identity's roles, kept from user.registered / user.roles_changed: who gets admin alerts. */
  @Property({ type: 'text[]' })
  roles: string[] = [];

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
