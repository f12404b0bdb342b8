import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { User } from '../user/user.entity';

/**
 * A signed-in session: one login and every refresh token rotated from it (the token
 * "family"). Revoking the session kills every token of the family at once; access tokens
 * carry its id as `sid`.
 */
@Entity({ tableName: 'session' })
export class Session {
  [OptionalProps]?: 'id' | 'createdAt' | 'lastUsedAt' | 'revokedAt' | 'revokedReason';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Index({ name: 'session_user_id_index' })
  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: User;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  lastUsedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null;

  /** Why it was revoked: logout, refresh-token reuse, password change. */
  @Property({ type: 'text', nullable: true })
  revokedReason?: string | null;
}
