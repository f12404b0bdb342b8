import { subgraphEnv, z } from '@atrium/kit';

const DAY = 24 * 60 * 60;

/** An optional variable for which an empty value (`NAME=` in a .env file) means unset. */
const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/** identity's environment: the subgraph basics plus token lifetimes, key rotation and the first admin. */
export const identityEnv = {
  ...subgraphEnv(4001, 'atrium_identity'),
  /** Access-token lifetime in seconds. Also how long a rotated-out signing key stays in the JWKS. */
  ACCESS_TOKEN_TTL: z.coerce.number().int().min(30).max(DAY).default(900),
  /** Refresh-token lifetime in seconds; each rotation starts a new one (a sliding session). */
  REFRESH_TOKEN_TTL: z.coerce.number().int().min(60).default(30 * DAY),
  /** Rotate the signing key automatically once the active one is this old (seconds); 0 = only by `rotateSigningKey`. */
  SIGNING_KEY_ROTATE_AFTER: z.coerce.number().int().min(0).default(90 * DAY),
  /** The first admin, created at start when both are set and no user has that e-mail. */
  ATRIUM_ADMIN_EMAIL: optional(z.string().email()),
  ATRIUM_ADMIN_PASSWORD: optional(z.string().min(12, 'must be at least 12 characters')),
};

export type IdentityConfig = z.infer<z.ZodObject<typeof identityEnv>>;
