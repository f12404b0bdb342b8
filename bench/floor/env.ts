/** The settings of a floor process (bench/floor/main.ts), read once from its environment. */

export const FLOORS = ['catalog', 'identity'] as const;
export type FloorName = (typeof FLOORS)[number];

export interface FloorEnv {
  /** FLOOR: which floor to serve (catalog-floor for query (a), identity-floor for (c)). */
  floor: FloorName;
  /** DATABASE_URL: the database of the subgraph it stands beside (catalog's, identity's). */
  databaseUrl: string;
  /** JWKS_URL: identity's published keys, to verify bearer tokens (without it every token is refused). */
  jwksUrl: string | undefined;
  /** JWT_ISSUER, JWT_AUDIENCE: as Atrium's config (kit/src/config.ts) defaults them. */
  issuer: string;
  audience: string;
  /** POOL_MAX: connections of its pg Pool (10, as MikroORM's pool in kit/src/subgraph/db.ts). */
  poolMax: number;
  /** PORT (0: any free one) and HOST (127.0.0.1). */
  port: number;
  host: string;
}

/** Parses a floor's environment; throws with a message on a missing or bad value. */
export function loadFloorEnv(env: NodeJS.ProcessEnv): FloorEnv {
  const floor = env.FLOOR as FloorName;
  if (!FLOORS.includes(floor)) throw new Error(`FLOOR must be one of ${FLOORS.join(', ')}${env.FLOOR ? `, got "${env.FLOOR}"` : ''}`);
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is required');
  const whole = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min) throw new Error(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
    return Number(raw);
  };
  return {
    floor,
    databaseUrl: env.DATABASE_URL,
    jwksUrl: env.JWKS_URL || undefined,
    issuer: env.JWT_ISSUER || 'atrium-identity',
    audience: env.JWT_AUDIENCE || 'atrium',
    poolMax: whole('POOL_MAX', 10, 1),
    port: whole('PORT', 0, 0),
    host: env.HOST || '127.0.0.1',
  };
}
