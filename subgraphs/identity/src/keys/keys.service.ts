import { ACCESS_TOKEN_ALG, badInput, notFound } from '@atrium/kit';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  calculateJwkThumbprint,
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  type KeyLike,
} from 'jose';
import { randomUUID } from 'node:crypto';
import { SigningKey } from './signing-key.entity';

export interface KeysOptions {
  issuer: string;
  audience: string;
  /** Access-token lifetime (seconds): how long a rotated-out key must stay in the JWKS. */
  accessTokenTtl: number;
  /** Rotate automatically once the active key is this old (seconds); 0 = never. */
  rotateAfter: number;
}

interface PublishedKey {
  kid: string;
  publicJwk: JWK;
  publicKey: KeyLike | Uint8Array;
}

interface ActiveKey {
  kid: string;
  privateKey: KeyLike | Uint8Array;
  createdAt: Date;
}

/** How long the in-memory key set is trusted before it is re-read (rotations by other replicas). */
const CACHE_MAX_AGE_MS = 60_000;
/** The JWKS endpoint re-reads more eagerly, so a key another replica just created is published quickly. */
const JWKS_MAX_AGE_MS = 5_000;
/** At most one re-read per this interval when tokens name an unknown `kid` (forged kids cannot hammer the database). */
const UNKNOWN_KID_COOLDOWN_MS = 5_000;
/** Clock skew allowed between replicas before a rotated-out key is retired. */
const RETIRE_LEEWAY_SECONDS = 60;

/**
 * identity's signing keys: ES256 key pairs in the `signing_key` table, cached in memory.
 *
 * - One key is active and signs every access token (`kid` in the header).
 * - `rotate()` makes a new active key; the previous one stays published in the JWKS so the
 *   tokens it signed keep verifying, and is retired lazily (on the next key-set read) once
 *   `ACCESS_TOKEN_TTL` + 60 s have passed since the rotation: by then every token it
 *   signed has expired. `retire(kid)` removes a (compromised) key at once.
 * - With `rotateAfter` set, the first signature after the active key reaches that age
 *   rotates it; replicas racing to do so serialise on a row lock and only one rotates.
 * - identity verifies its own tokens with `resolveKey` (never over HTTP to itself).
 *
 * One instance per server; it reads the database through its own forks of the ORM.
 */
export class KeysService {
  private orm: MikroORM | null = null;
  private published = new Map<string, PublishedKey>();
  private active: ActiveKey | null = null;
  private loadedAt = 0;
  private loading: Promise<void> | null = null;

  constructor(private readonly options: KeysOptions) {}

  /** Binds the database and makes sure an active key exists (safe when replicas start together). */
  async start(orm: MikroORM): Promise<void> {
    this.orm = orm;
    await this.reload();
    if (this.active) return;
    const em = orm.em.fork();
    try {
      em.persist(await this.generate());
      await em.flush();
    } catch (err) {
      // Another replica created the active key first (partial unique index on `active`).
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
    }
    await this.refresh();
    if (!this.active) throw new Error('identity: no active signing key after start-up');
  }

  /** Signs an access token with the active key. `claims` must include `sub`. */
  async sign(claims: JWTPayload & { sub: string }, expiresAt: Date, issuedAt = new Date()): Promise<string> {
    const key = await this.activeKey();
    const { sub, ...rest } = claims;
    return new SignJWT(rest)
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: key.kid, typ: 'at+jwt' })
      .setSubject(sub)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt(Math.floor(issuedAt.getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .setJti(claims.jti ?? randomUUID())
      .sign(key.privateKey);
  }

  /**
   * A jose key resolver for `createTokenVerifier`: the published key named by the token's
   * `kid`, re-reading the key set (rate-limited) when the kid is unknown. The algorithm
   * (ES256 only) is checked by jose before this runs.
   */
  readonly resolveKey = async (header: JWTHeaderParameters): Promise<KeyLike | Uint8Array> => {
    if (!header.kid) throw new joseErrors.JWKSNoMatchingKey('token has no kid');
    if (Date.now() - this.loadedAt > CACHE_MAX_AGE_MS) await this.reload();
    let key = this.published.get(header.kid);
    if (!key && Date.now() - this.loadedAt > UNKNOWN_KID_COOLDOWN_MS) {
      await this.reload();
      key = this.published.get(header.kid);
    }
    if (!key) throw new joseErrors.JWKSNoMatchingKey();
    return key.publicKey;
  };

  /** Whether `kid` is in the key set this replica last read (retired keys are not). */
  isPublished(kid: string): boolean {
    return this.published.has(kid);
  }

  /** The JSON Web Key Set: the public half of every key not yet retired. */
  async jwks(): Promise<{ keys: JWK[] }> {
    if (Date.now() - this.loadedAt > JWKS_MAX_AGE_MS) await this.reload();
    return {
      keys: [...this.published.values()].map(({ kid, publicJwk }) => ({ ...publicJwk, kid, alg: ACCESS_TOKEN_ALG, use: 'sig' })),
    };
  }

  /** The kid of the key that signs new tokens. */
  async activeKid(): Promise<string> {
    return (await this.activeKey()).kid;
  }

  /**
   * Makes a new active key and returns its kid. With `ifActive`, rotates only if that key
   * is still the active one (so replicas auto-rotating together rotate once).
   */
  async rotate(options: { ifActive?: string } = {}): Promise<string> {
    const next = await this.generate();
    const kid = await this.db().transactional(async (em) => {
      const current = await em.findOne(SigningKey, { active: true }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (options.ifActive && current && current.kid !== options.ifActive) return current.kid;
      // Deactivate first, in its own statement: the partial unique index allows one active key.
      if (current) await em.nativeUpdate(SigningKey, { kid: current.kid }, { active: false, deactivatedAt: new Date() });
      await em.insert(SigningKey, next);
      return next.kid;
    });
    await this.refresh();
    return kid;
  }

  /** Removes a key from the JWKS at once: tokens it signed stop verifying. The active key must be rotated first. */
  async retire(kid: string): Promise<boolean> {
    const em = this.db();
    const key = await em.findOne(SigningKey, { kid });
    if (!key) throw notFound('Signing key', kid);
    if (key.active) throw badInput('kid', 'is the active signing key: rotate it first');
    if (!key.retiredAt) await em.nativeUpdate(SigningKey, { kid, retiredAt: null }, { retiredAt: new Date() });
    await this.refresh();
    return true;
  }

  private async activeKey(): Promise<ActiveKey> {
    if (!this.active || Date.now() - this.loadedAt > CACHE_MAX_AGE_MS) await this.reload();
    const active = this.active;
    if (!active) throw new Error('identity: no active signing key');
    const age = (Date.now() - active.createdAt.getTime()) / 1000;
    if (this.options.rotateAfter > 0 && age > this.options.rotateAfter) {
      await this.rotate({ ifActive: active.kid });
      if (this.active) return this.active;
    }
    return active;
  }

  /** Re-reads the key set (one read at a time), retiring rotated-out keys whose tokens have all expired. */
  private reload(): Promise<void> {
    this.loading ??= this.read().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /** Re-reads the key set now (a read that starts after this call, so it sees every committed change). */
  async refresh(): Promise<void> {
    await this.loading?.catch(() => undefined);
    await this.reload();
  }

  private async read(): Promise<void> {
    const em = this.db();
    const retireBefore = new Date(Date.now() - (this.options.accessTokenTtl + RETIRE_LEEWAY_SECONDS) * 1000);
    await em.nativeUpdate(
      SigningKey,
      { active: false, retiredAt: null, deactivatedAt: { $lt: retireBefore } },
      { retiredAt: new Date() },
    );
    const rows = await em.find(SigningKey, { retiredAt: null }, { orderBy: { createdAt: 'desc' } });
    const published = new Map<string, PublishedKey>();
    let active: ActiveKey | null = null;
    for (const row of rows) {
      published.set(row.kid, { kid: row.kid, publicJwk: row.publicJwk, publicKey: await importJWK(row.publicJwk, ACCESS_TOKEN_ALG) });
      if (row.active) active = { kid: row.kid, privateKey: await importJWK(row.privateJwk, ACCESS_TOKEN_ALG), createdAt: row.createdAt };
    }
    this.published = published;
    this.active = active;
    this.loadedAt = Date.now();
  }

  private async generate(): Promise<SigningKey> {
    const { publicKey, privateKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const key = new SigningKey();
    key.kid = await calculateJwkThumbprint(publicJwk);
    key.publicJwk = publicJwk;
    key.privateJwk = await exportJWK(privateKey);
    key.active = true;
    return key;
  }

  private db() {
    if (!this.orm) throw new Error('KeysService used before start()');
    return this.orm.em.fork();
  }
}
