import { badInput, scopesFor, SESSIONS_REVOKED, unauthenticated, type Caller, type Logger, type PubSub } from '@atrium/kit';
import { type EntityManager } from '@atrium/kit/subgraph';
import { LockMode } from '@mikro-orm/core';
import { createHash, randomBytes } from 'node:crypto';
import type { IdentityConfig } from '../config';
import type { KeysService } from '../keys/keys.service';
import { Session } from './session.entity';
import { User } from '../user/user.entity';
import type { UserService } from '../user/user.service';
import type { LoginInput, RegisterInput } from './auth.input';
import type { AuthPayload } from './auth.types';
import type { MfaService } from './mfa.service';
import { hashPassword, isAcceptablePassword, needsRehash, PASSWORD_RULE, verifyPassword } from './password';
import { RefreshToken } from './refresh-token.entity';

const INVALID_CREDENTIALS = 'Invalid email or password';
const INVALID_REFRESH_TOKEN = 'Invalid or expired refresh token';

/** Refresh tokens are 32 random bytes; only their SHA-256 is stored. */
const newRefreshToken = () => randomBytes(32).toString('base64url');
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface AuthServiceDeps {
  em: EntityManager;
  log: Logger;
  keys: KeysService;
  config: IdentityConfig;
  users: UserService;
  mfa: MfaService;
  /** Where revocations are announced (SESSIONS_REVOKED), so the gateway stops honouring their access tokens. */
  pubSub: PubSub;
}

/**
 * Sessions and tokens: register, login, refresh-token rotation with reuse detection,
 * logout and password change. A session is one login and the chain of refresh tokens
 * rotated from it; access tokens are short-lived ES256 JWTs naming it as `sid`. Every
 * revocation is announced on SESSIONS_REVOKED once it commits.
 */
export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  private get em() {
    return this.deps.em;
  }

  async register(input: RegisterInput): Promise<AuthPayload> {
    const name = input.name.trim();
    if (!name) throw badInput('input.name', 'must not be empty');
    const user = await this.deps.users.create({ email: input.email, password: input.password, name });
    if (!user) throw badInput('input.email', 'already registered');
    return this.startSession(user);
  }

  /** The same error for an unknown e-mail and a wrong password, after the same argon2 work. */
  async login(input: LoginInput): Promise<AuthPayload> {
    const user = await this.deps.users.byEmail(input.email);
    const ok = await verifyPassword(user?.passwordHash, input.password);
    if (!user || !ok) throw unauthenticated(INVALID_CREDENTIALS);
    await this.deps.mfa.verifyLogin(user, input.totp);
    // Upgrade hashes made with older argon2 parameters while the password is at hand.
    if (needsRehash(user.passwordHash)) user.passwordHash = await hashPassword(input.password);
    return this.startSession(user);
  }

  /**
   * Exchanges a refresh token for a new pair in the same session. Each token works once:
   * presenting one that was already exchanged means it leaked, so the whole session (every
   * token of the family, the newest included) is revoked. The token row is locked, so two
   * concurrent exchanges of one token cannot both succeed.
   */
  async refresh(token: string): Promise<AuthPayload> {
    const now = new Date();
    const outcome = await this.em.transactional(async (em) => {
      const row = await em.findOne(RefreshToken, { tokenHash: hashToken(token) }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row) return { kind: 'invalid' } as const;
      const session = await em.findOneOrFail(Session, row.session.id, { populate: ['user'] });
      if (session.revokedAt) return { kind: 'invalid' } as const;
      if (row.usedAt) {
        session.revokedAt = now;
        session.revokedReason = 'refresh token reused';
        await this.announceRevoked(em, session.user.id, [session.id], 'refresh token reused');
        return { kind: 'reused', sessionId: session.id, userId: session.user.id } as const;
      }
      if (row.expiresAt <= now) return { kind: 'invalid' } as const;
      row.usedAt = now;
      session.lastUsedAt = now;
      const next = newRefreshToken();
      em.create(RefreshToken, { session, tokenHash: hashToken(next), expiresAt: this.refreshExpiry(now) });
      return { kind: 'ok', session, refreshToken: next } as const;
    });
    if (outcome.kind === 'reused') {
      this.deps.log.warn({ sessionId: outcome.sessionId, userId: outcome.userId }, 'refresh token reused: session revoked');
    }
    if (outcome.kind !== 'ok') throw unauthenticated(INVALID_REFRESH_TOKEN);
    return this.payload(outcome.session.user, outcome.session, outcome.refreshToken);
  }

  /**
   * Revokes the session the token belongs to, announcing it the first time. Idempotent; an
   * unknown token is not an error.
   */
  async logout(token: string): Promise<boolean> {
    const row = await this.em.findOne(RefreshToken, { tokenHash: hashToken(token) }, { populate: ['session'] });
    if (!row) return true;
    const { session } = row;
    const revoked = await this.em.nativeUpdate(Session, { id: session.id, revokedAt: null }, { revokedAt: new Date(), revokedReason: 'logout' });
    if (revoked > 0) await this.announceRevoked(this.em, session.user.id, [session.id], 'logout');
    return true;
  }

  /**
   * Changes the password and revokes every other session of the user (the caller's, named
   * by the token's `sid`, stays signed in).
   */
  async changePassword(caller: Caller, currentPassword: string, newPassword: string): Promise<boolean> {
    if (!isAcceptablePassword(newPassword)) throw badInput('newPassword', PASSWORD_RULE);
    const user = await this.deps.users.byId(caller.userId);
    if (!user) throw unauthenticated('The account no longer exists');
    if (!(await verifyPassword(user.passwordHash, currentPassword))) throw badInput('currentPassword', 'is incorrect');
    if (currentPassword === newPassword) throw badInput('newPassword', 'must differ from the current password');
    const passwordHash = await hashPassword(newPassword);
    await this.em.transactional(async (em) => {
      await em.nativeUpdate(User, { id: user.id }, { passwordHash });
      const others = caller.sessionId ? { id: { $ne: caller.sessionId } } : {};
      // Locked and named, so the announcement lists exactly the sessions this change revoked.
      const sessions = await em.find(Session, { user: user.id, revokedAt: null, ...others }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const now = new Date();
      for (const session of sessions) Object.assign(session, { revokedAt: now, revokedReason: 'password changed' });
      await this.announceRevoked(em, user.id, sessions.map((s) => s.id), 'password changed');
    });
    return true;
  }

  /**
   * Announces revoked sessions once `em`'s transaction commits (at once outside one), never
   * for a rollback: the gateway then refuses their access tokens and ends their subscriptions.
   */
  private async announceRevoked(em: EntityManager, userId: string, sessionIds: string[], reason: string): Promise<void> {
    if (sessionIds.length === 0) return;
    const tokensExpireBy = new Date(Date.now() + this.deps.config.ACCESS_TOKEN_TTL * 1000).toISOString();
    await this.deps.pubSub.publishAfterCommit(em, SESSIONS_REVOKED, { userId, sessionIds, reason, tokensExpireBy });
  }

  private async startSession(user: User): Promise<AuthPayload> {
    const refreshToken = newRefreshToken();
    const session = this.em.create(Session, { user });
    this.em.create(RefreshToken, { session, tokenHash: hashToken(refreshToken), expiresAt: this.refreshExpiry(new Date()) });
    await this.em.flush();
    return this.payload(user, session, refreshToken);
  }

  /** Signs the access token: `sub`, `roles`, `scope` (from kit's role table), `sid`, `jti`, `iss`, `aud`, `iat`, `exp`. */
  private async payload(user: User, session: Session, refreshToken: string): Promise<AuthPayload> {
    const issuedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    const expiresAt = new Date(issuedAt.getTime() + this.deps.config.ACCESS_TOKEN_TTL * 1000);
    const accessToken = await this.deps.keys.sign(
      { sub: user.id, roles: user.roles, scope: scopesFor(user.roles).join(' '), sid: session.id },
      expiresAt,
      issuedAt,
    );
    return { accessToken, refreshToken, expiresAt, user };
  }

  private refreshExpiry(from: Date): Date {
    return new Date(from.getTime() + this.deps.config.REFRESH_TOKEN_TTL * 1000);
  }
}
