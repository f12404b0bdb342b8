import path from 'node:path';
import { GATEWAY_PORT, type ServiceSpec } from './service-plan';
import { maskPassword, renderBox, type Paint } from './terminal';

// Room for the longest label, "Not started", and a space.
/** The narrowest label column; longer subgraph names widen it. */
const MIN_LABEL_WIDTH = 12;

/** The PostgreSQL server the services use. */
export type DatabaseInfo =
  | { kind: 'embedded'; url: string; dataDir: string; passwordFile: string }
  | { kind: 'external'; url: string };

/** The Redis the services use: found at REDIS_URL, or started by the runner. */
export type RedisInfo = { kind: 'external'; url: string } | { kind: 'started'; url: string; dataDir: string };

/** Input of {@link renderBanner}. */
export interface BannerInput {
  services: readonly ServiceSpec[];
  /** Subgraphs of supergraph.yaml left out by `--only`. */
  notStarted: readonly string[];
  database: DatabaseInfo;
  /** Omitted by callers that start no Redis. */
  redis?: RedisInfo;
  /** Where the dev mail catcher writes the messages notification sends. */
  mailFolder?: string;
  /** Paths are shown relative to it. */
  repoRoot: string;
  paint: Paint;
}

/**
 * The box printed once everything is ready: where Sandbox, the dashboard and readiness are, each
 * subgraph's endpoint, and which PostgreSQL holds the data (password masked; the
 * embedded server's is in its password file).
 */
export function renderBanner(input: BannerInput): string {
  const { paint } = input;
  // Inside the repository a relative path is shorter; outside, ../../.. would only confuse.
  const relative = (file: string): string => {
    const inside = path.relative(input.repoRoot, file);
    return inside.startsWith('..') || path.isAbsolute(inside) ? file : inside;
  };
  const width = Math.max(MIN_LABEL_WIDTH, ...input.services.map((service) => service.name.length + 2));
  const label = (text: string): string => paint.bold(text.padEnd(width));
  const gateway = input.services.find((service) => service.kind === 'gateway');
  const lines: string[] = [paint.bold('Atrium is running'), ''];

  if (gateway) {
    lines.push(`${label('Sandbox')}${gateway.graphqlUrl}`);
    lines.push(`${label('Dashboard')}${gateway.graphqlUrl.replace(/\/graphql$/, '/dashboard')}`);
    lines.push(`${label('Readiness')}${gateway.graphqlUrl.replace(/\/graphql$/, '/ready')}`);
  } else {
    lines.push(`${label('Gateway')}not started (--no-gateway)`);
  }
  for (const service of input.services) {
    if (service.kind === 'subgraph') lines.push(`${label(service.name)}${service.graphqlUrl}`);
  }
  if (input.notStarted.length > 0) {
    lines.push(`${label('Not started')}${input.notStarted.join(', ')} ${paint.dim('(their fields fail as unavailable)')}`);
  }

  const { database } = input;
  if (database.kind === 'embedded') {
    lines.push(`${label('PostgreSQL')}embedded, ${maskPassword(database.url)}`);
    lines.push(`${' '.repeat(width)}data ${relative(database.dataDir)}, password in ${relative(database.passwordFile)}`);
  } else {
    lines.push(`${label('PostgreSQL')}${maskPassword(database.url)} ${paint.dim('(DATABASE_URL)')}`);
  }
  if (input.redis?.kind === 'started') lines.push(`${label('Redis')}started, ${input.redis.url} ${paint.dim(`(files in ${relative(input.redis.dataDir)})`)}`);
  else if (input.redis) lines.push(`${label('Redis')}${maskPassword(input.redis.url)}`);
  if (input.mailFolder) lines.push(`${label('Mail')}caught, one .eml file per message in ${relative(input.mailFolder)}`);
  lines.push('', paint.dim('Ctrl-C stops everything.'));
  return renderBox(lines);
}
