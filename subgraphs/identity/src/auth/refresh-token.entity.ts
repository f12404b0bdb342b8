import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Session } from './session.entity';

/**
 * One refresh token of a session. Only the SHA-256 of the opaque token is stored. Each is
 * single-use: `usedAt` is set when it is exchanged, and presenting it again is treated as
 * theft (the whole session is revoked).
 */
@Entity({ tableName: 'refresh_token' })
export class RefreshToken {
  [OptionalProps]?: 'id' | 'createdAt' | 'usedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Session, { deleteRule: 'cascade' })
  session!: Session;

  /** Hex SHA-256 of the token (the token itself is 32 random bytes, base64url). */
  @Property({ type: 'text', unique: true })
  tokenHash!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt?: Date | null;
}
