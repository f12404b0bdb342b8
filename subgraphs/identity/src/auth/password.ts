import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';

/** The password policy, shared by the input classes and the services. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;
export const PASSWORD_RULE = `must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`;

/** Whether `password` meets the policy (for arguments that are not validated input objects). */
export const isAcceptablePassword = (password: string) =>
  password.length >= PASSWORD_MIN_LENGTH && password.length <= PASSWORD_MAX_LENGTH;

/**
 * argon2id with RFC 9106's second recommended parameters (64 MiB, 3 passes, 4 lanes) —
 * node-argon2's defaults, written out so a change is deliberate. Hashes made with other
 * parameters are upgraded at the next successful login (`needsRehash`).
 */
const ARGON2 = { type: argon2.argon2id, memoryCost: 65_536, timeCost: 3, parallelism: 4 } as const;

export const hashPassword = (password: string) => argon2.hash(password, ARGON2);

export const needsRehash = (hash: string) => argon2.needsRehash(hash, ARGON2);

/** A hash of nothing anyone knows, verified when the e-mail is unknown so both failures take as long. */
let dummyHash: Promise<string> | undefined;

/**
 * Checks `password` against `hash`, or against a dummy hash when there is no user, so the
 * response time does not reveal whether an e-mail is registered.
 */
export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  dummyHash ??= hashPassword(randomBytes(32).toString('base64url'));
  const digest = hash ?? (await dummyHash);
  const ok = await argon2.verify(digest, password).catch(() => false);
  return ok && hash !== undefined;
}
