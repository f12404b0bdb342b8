import type { SubgraphEntry } from '@atrium/kit/supergraph-config';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { databaseUrlFor, subgraphUrlVariable } from '../../../scripts/lib/service-plan';
import { tierEnv } from '../../support/env';
import { REPO_ROOT } from './paths';

/** The first admin identity creates; the workload signs in with it to promote a manager. */
export const ADMIN = { email: 'admin@atrium.fault', password: 'fault-admin-password' };

/** Seconds an unpaid hold lasts here (15 minutes in production): holds must expire within a scenario. */
export const HOLD_TTL_S = 12;

/** What every service of the stack needs to know about the others. */
export interface StackAddresses {
  subgraphs: readonly SubgraphEntry[];
  /** Port of each service (subgraph names and `gateway`), chosen once: a restart reuses it. */
  ports: Record<string, number>;
  /** The private PostgreSQL server, without a database. */
  postgresUrl: string;
  redisUrl: string;
  smtpUrl: string;
}

export interface PlannedService {
  name: string;
  port: number;
  /** Compiled entry point (`npm run build:ts`), as the dev runner starts it. */
  entry: string;
  env: NodeJS.ProcessEnv;
}

const local = (port: number) => `http://127.0.0.1:${port}`;

/**
 * Each service's complete environment, as production runs it (nothing inherited from the
 * test process, whose NODE_ENV, REDIS_URL… belong to jest): its port, its own database on
 * the private PostgreSQL, the private Redis (so the default stream, job prefix and pub/sub
 * names are safe), and timings shortened so a fault settles within a scenario —
 * redeliveries after 1 s, holds of {@link HOLD_TTL_S} s, sweeps every 5 s, mail retries
 * from 0.5 s.
 */
export function planStack(addresses: StackAddresses): PlannedService[] {
  const { subgraphs, ports } = addresses;
  const identityPort = ports.identity;
  const common: NodeJS.ProcessEnv = {
    ...tierEnv.inherited,
    // As deployed: subgraphs answer only requests the gateway signed, with this stack's own secret.
    NODE_ENV: 'production',
    SUBGRAPH_SIGNING_SECRETS: randomBytes(32).toString('hex'),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    JWKS_URL: `${local(identityPort)}/.well-known/jwks.json`,
    REDIS_URL: addresses.redisUrl,
  };
  const subgraphEnv: NodeJS.ProcessEnv = {
    ...common,
    EVENTS_RETRY_IDLE_MS: '1000',
    BOOKING_HOLD_TTL: String(HOLD_TTL_S),
    // Six-field cron patterns: every 5 seconds rather than every minute.
    BOOKING_SWEEP_CRON: '*/5 * * * * *',
    PAYMENT_SWEEP_CRON: '*/5 * * * * *',
    SMTP_URL: addresses.smtpUrl,
    SMTP_TIMEOUT_MS: '5000',
    DELIVERY_BACKOFF_MS: '500',
    // Tokens outlive the tier: the workload signs in once.
    ACCESS_TOKEN_TTL: '3600',
    HEALTH_POLL_INTERVAL_MS: '2000',
    HEALTH_TIMEOUT_MS: '1000',
    SUPERGRAPH_CONFIG: path.join(REPO_ROOT, 'supergraph.yaml'),
    GATEWAY_URL: local(ports.gateway),
    ...Object.fromEntries(subgraphs.map((s) => [`HEALTH_SERVICE_${s.name.toUpperCase().replace(/-/g, '_')}_URL`, local(ports[s.name])])),
  };
  const planned: PlannedService[] = subgraphs.map((s) => ({
    name: s.name,
    port: ports[s.name],
    entry: `dist/subgraphs/${s.name}/src/main.js`,
    env: {
      ...subgraphEnv,
      PORT: String(ports[s.name]),
      DATABASE_URL: databaseUrlFor(addresses.postgresUrl, s.name),
      ...(s.name === 'identity' ? { ATRIUM_ADMIN_EMAIL: ADMIN.email, ATRIUM_ADMIN_PASSWORD: ADMIN.password } : {}),
    },
  }));
  planned.push({
    name: 'gateway',
    port: ports.gateway,
    entry: 'dist/gateway/src/main.js',
    env: {
      ...common,
      PORT: String(ports.gateway),
      SUPERGRAPH_PATH: path.join(REPO_ROOT, 'schema', 'supergraph.graphql'),
      ...Object.fromEntries(subgraphs.map((s) => [subgraphUrlVariable(s.name), `${local(ports[s.name])}/graphql`])),
      // The workload registers and signs in more often than one IP may in production.
      RATE_LIMIT: 'off',
      // A restarted subgraph is tried again after 2 s rather than 10.
      CIRCUIT_RESET_MS: '2000',
    },
  });
  return planned;
}
