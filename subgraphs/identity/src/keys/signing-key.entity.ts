import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { JWK } from 'jose';

/**
 * An ES256 key pair that signs access tokens. Life cycle: created active (signs new
 * tokens; exactly one is active, by a partial unique index) → deactivated by a rotation
 * (still published in the JWKS so tokens it signed keep verifying) → retired (gone from the
 * JWKS) once every token it signed has expired, or at once by `retireSigningKey`.
 */
@Entity({ tableName: 'signing_key' })
export class SigningKey {
  [OptionalProps]?: 'alg' | 'active' | 'createdAt' | 'deactivatedAt' | 'retiredAt';

  /** The RFC 7638 thumbprint of the public key. */
  @PrimaryKey({ type: 'text' })
  kid!: string;

  @Property({ type: 'text' })
  alg = 'ES256';

  @Property({ type: 'json' })
  publicJwk!: JWK;

  /**
   * The private key as a JWK. Stored in clear in this database; in production wrap it with
   * a KMS key (envelope encryption) or keep it in the KMS and sign there.
   */
  @Property({ type: 'json', hidden: true })
  privateJwk!: JWK;

  @Property({ type: 'boolean' })
  active = false;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  /** When a rotation stopped it from signing. */
  @Property({ type: 'timestamptz', nullable: true })
  deactivatedAt?: Date | null;

  /** When it left the JWKS: tokens it signed no longer verify. */
  @Property({ type: 'timestamptz', nullable: true })
  retiredAt?: Date | null;
}
