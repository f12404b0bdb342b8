import { Role } from '@atrium/kit';
import { Entity, Enum, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';

registerEnumType(Role, { name: 'Role', description: 'What a user may do; each role grants the scopes in kit/src/auth/scopes.ts.' });

/**
 * An Atrium account. `email` and `mfaEnabled` are resolved by `UserResolver` (they carry
 * row rules); secrets (password hash, TOTP secret) never become GraphQL fields.
 */
@Directive('@key(fields: "id")')
@ObjectType({ description: 'An Atrium account.' })
@Entity({ tableName: 'user' })
export class User {
  [OptionalProps]?: 'id' | 'roles' | 'mfaEnabled' | 'createdAt' | 'updatedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Unique case-insensitively: the column is `citext`. Stored as typed, trimmed. */
  @Property({ type: 'text', columnType: 'citext', unique: true })
  email!: string;

  @Field()
  @Property({ type: 'text' })
  name!: string;

  /** argon2id, encoded (parameters and salt included). */
  @Property({ type: 'text', hidden: true })
  passwordHash!: string;

  @Field(() => [Role])
  @Enum({ items: () => Role, array: true })
  roles: Role[] = [Role.MEMBER];

  @Property({ type: 'boolean' })
  mfaEnabled = false;

  /**
   * The confirmed TOTP secret (base32). Stored in clear here; in production encrypt it at
   * rest with a KMS-held key (envelope encryption), like the signing keys.
   */
  @Property({ type: 'text', nullable: true, hidden: true })
  mfaSecret?: string | null;

  /** A secret from `enableMfa` awaiting `confirmMfa`. */
  @Property({ type: 'text', nullable: true, hidden: true })
  mfaPendingSecret?: string | null;

  /** The last TOTP time step accepted, so a code cannot be replayed within its window. */
  @Property({ type: 'integer', nullable: true, hidden: true })
  mfaLastStep?: number | null;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
