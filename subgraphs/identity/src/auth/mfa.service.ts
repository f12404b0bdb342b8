import { AppError, badInput, conflict, ErrorCode, notFound } from '@atrium/kit';
import { type EntityManager } from '@atrium/kit/subgraph';
import { Secret, TOTP } from 'otpauth';
import { User } from '../user/user.entity';

/** TOTP as authenticator apps expect it: SHA-1, 30-second steps, 6 digits. */
const TOTP_PARAMS = { issuer: 'Atrium', algorithm: 'SHA1', digits: 6, period: 30 } as const;
/** Accept the previous and the next code too (clock drift between phone and server). */
const WINDOW = 1;

export const mfaRequired = () =>
  new AppError(ErrorCode.UNAUTHENTICATED, 'A one-time code (totp) is required for this account', { reason: 'MFA_REQUIRED' });
export const mfaInvalid = () =>
  new AppError(ErrorCode.UNAUTHENTICATED, 'The one-time code is invalid or was already used', { reason: 'MFA_INVALID' });

/**
 * TOTP multi-factor authentication: `enable` → `confirm` (proves the authenticator works,
 * turns MFA on) → `verify` at each login; `disable` needs a current code. Each accepted
 * code's time step is recorded so a code cannot be replayed within its window.
 */
export class MfaService {
  constructor(private readonly em: EntityManager) {}

  /** Starts (or restarts) enrolment: a new secret, pending until confirmed. */
  async enable(userId: string): Promise<{ secret: string; otpauthUrl: string }> {
    const user = await this.user(userId);
    if (user.mfaEnabled) throw conflict('MFA is already enabled; disable it first to enrol a new authenticator');
    const secret = new Secret({ size: 20 }).base32;
    user.mfaPendingSecret = secret;
    await this.em.flush();
    return { secret, otpauthUrl: totp(secret, user.email).toString() };
  }

  /** Turns MFA on once `code` matches the pending secret. */
  async confirm(userId: string, code: string): Promise<boolean> {
    const user = await this.user(userId);
    if (user.mfaEnabled) throw conflict('MFA is already enabled');
    if (!user.mfaPendingSecret) throw conflict('No MFA enrolment is pending: call enableMfa first');
    const step = matchingStep(user.mfaPendingSecret, user.email, code);
    if (step === null) throw badInput('code', 'is not the current code of the authenticator');
    user.mfaSecret = user.mfaPendingSecret;
    user.mfaPendingSecret = null;
    user.mfaEnabled = true;
    user.mfaLastStep = step;
    await this.em.flush();
    return true;
  }

  /** Turns MFA off; needs a current code, so a stolen access token alone cannot do it. */
  async disable(userId: string, code: string): Promise<boolean> {
    const user = await this.user(userId);
    if (!user.mfaEnabled || !user.mfaSecret) throw conflict('MFA is not enabled');
    if (!(await this.consume(user, code))) throw badInput('code', 'is invalid or was already used');
    await this.em.nativeUpdate(User, { id: user.id }, { mfaEnabled: false, mfaSecret: null, mfaPendingSecret: null, mfaLastStep: null });
    return true;
  }

  /** At login: MFA_REQUIRED without a code, MFA_INVALID with a wrong or replayed one. */
  async verifyLogin(user: User, code: string | null | undefined): Promise<void> {
    if (!user.mfaEnabled) return;
    if (!code) throw mfaRequired();
    if (!(await this.consume(user, code))) throw mfaInvalid();
  }

  /**
   * Accepts `code` if it matches a step within the window that is newer than the last one
   * accepted — recorded with a conditional update, so two concurrent uses of one code
   * cannot both succeed.
   */
  private async consume(user: User, code: string): Promise<boolean> {
    if (!user.mfaSecret) return false;
    const step = matchingStep(user.mfaSecret, user.email, code);
    if (step === null) return false;
    const updated = await this.em.nativeUpdate(
      User,
      { id: user.id, $or: [{ mfaLastStep: null }, { mfaLastStep: { $lt: step } }] },
      { mfaLastStep: step },
    );
    return updated === 1;
  }

  private async user(id: string): Promise<User> {
    const user = await this.em.findOne(User, { id });
    if (!user) throw notFound('User', id);
    return user;
  }
}

function totp(secret: string, label: string): TOTP {
  return new TOTP({ ...TOTP_PARAMS, label, secret: Secret.fromBase32(secret) });
}

/** The time step `code` belongs to, or null when it matches none within the window. */
function matchingStep(secret: string, label: string, code: string): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const generator = totp(secret, label);
  const timestamp = Date.now();
  const delta = generator.validate({ token: code, window: WINDOW, timestamp });
  return delta === null ? null : generator.counter({ timestamp }) + delta;
}
