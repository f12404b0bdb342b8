import type { RunnerArgs } from './runner-args';
import type { SubgraphEntry } from '@atrium/kit';

/** The gateway's port (Sandbox at http://localhost:4000/graphql). */
export const GATEWAY_PORT = 4000;

/** The subgraph that issues tokens and serves the JWKS every other service verifies with. */
export const IDENTITY_SUBGRAPH = 'identity';

/** One service the runner starts. */
export interface ServiceSpec {
  /** The subgraph name, or `gateway`. */
  name: string;
  kind: 'subgraph' | 'gateway';
  port: number;
  /** The compiled entry point, relative to the repository root. */
  entry: string;
  /** The service's complete environment. */
  env: NodeJS.ProcessEnv;
  /**
   * What the runner polls before calling the service up. The gateway's /ready requires
   * every subgraph to answer, so with `--only` its liveness (/health) has to do.
   */
  readyPath: '/ready' | '/health';
  /** `readyPath` on the address the service listens on, as reachable from this machine. */
  readyUrl: string;
  /** The GraphQL endpoint, for the banner. */
  graphqlUrl: string;
}

/** Input of {@link planServices}. */
export interface PlanInput {
  /** Every subgraph of supergraph.yaml (also those not started: the gateway routes to all). */
  subgraphs: readonly SubgraphEntry[];
  args: RunnerArgs;
  /** The runner's own environment, passed on to the services. */
  env: NodeJS.ProcessEnv;
  /** Whether the runner's terminal shows colours (children then colour their logs too). */
  color: boolean;
}

/** `atrium_<name>`: each subgraph owns a database of its own. */
/** The admin `npm start` creates in development when ATRIUM_ADMIN_EMAIL/PASSWORD are unset. */
export const DEV_ADMIN = { email: 'admin@atrium.local', password: 'atrium-admin-dev' } as const;

export function databaseNameFor(subgraph: string): string {
  return `atrium_${subgraph.replace(/-/g, '_')}`;
}

/** The subgraph's own database on `serverUrl`, keeping credentials and query (sslmode...). */
export function databaseUrlFor(serverUrl: string, subgraph: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${databaseNameFor(subgraph)}`;
  return url.toString();
}

/** `SUBGRAPH_<NAME>_URL`: the gateway's override of a subgraph's routing URL. */
export function subgraphUrlVariable(subgraph: string): string {
  return `SUBGRAPH_${subgraph.toUpperCase().replace(/-/g, '_')}_URL`;
}

/** The JWKS URL on identity's origin, or undefined when there is no identity subgraph. */
export function jwksUrlFrom(subgraphs: readonly SubgraphEntry[]): string | undefined {
  const identity = subgraphs.find((subgraph) => subgraph.name === IDENTITY_SUBGRAPH);
  return identity ? new URL('/.well-known/jwks.json', identity.url).toString() : undefined;
}

/**
 * Computes what to start and each service's environment: the runner's environment, plus
 * PORT (from its routing URL), HOST (default 127.0.0.1), JWKS_URL, LOG_FORMAT=pretty
 * and NODE_ENV=development unless set; the gateway gets SUBGRAPH_<NAME>_URL for every
 * subgraph (an override already in the environment wins). The admin bootstrap
 * credentials (ATRIUM_ADMIN_*) reach identity only. No service has a DATABASE_URL yet:
 * see {@link withDatabases}. Subgraphs come first, in supergraph.yaml order, then the
 * gateway. Throws when a subgraph would collide with the gateway.
 */
export function planServices(input: PlanInput): ServiceSpec[] {
  const { subgraphs, args, env } = input;
  if (args.gateway) {
    const clash = subgraphs.find((subgraph) => subgraph.port === GATEWAY_PORT || subgraph.name === 'gateway');
    if (clash) throw new Error(`subgraph ${clash.name} (port ${clash.port}) collides with the gateway`);
  }

  const shared: NodeJS.ProcessEnv = { ...env };
  delete shared.DATABASE_URL;
  delete shared.PORT;
  delete shared.ATRIUM_ADMIN_EMAIL;
  delete shared.ATRIUM_ADMIN_PASSWORD;
  shared.HOST = env.HOST || '127.0.0.1';
  shared.LOG_FORMAT = env.LOG_FORMAT || 'pretty';
  shared.NODE_ENV = env.NODE_ENV || 'development';
  const jwksUrl = env.JWKS_URL || jwksUrlFrom(subgraphs);
  if (jwksUrl) shared.JWKS_URL = jwksUrl;
  // Children write to a pipe, so their loggers would turn colours off on their own.
  if (input.color && env.FORCE_COLOR === undefined && env.NO_COLOR === undefined) shared.FORCE_COLOR = '1';

  const specs: ServiceSpec[] = subgraphs
    .filter((subgraph) => args.subgraphs.includes(subgraph.name))
    .map((subgraph) => {
      const own: NodeJS.ProcessEnv = { ...shared, PORT: String(subgraph.port) };
      if (subgraph.name === IDENTITY_SUBGRAPH) {
        // In development there is always a first admin (documented in the README and used
        // by `npm run seed`); production takes only what it is given.
        const dev = shared.NODE_ENV !== 'production';
        const email = env.ATRIUM_ADMIN_EMAIL ?? (dev ? DEV_ADMIN.email : undefined);
        const password = env.ATRIUM_ADMIN_PASSWORD ?? (dev ? DEV_ADMIN.password : undefined);
        if (email !== undefined) own.ATRIUM_ADMIN_EMAIL = email;
        if (password !== undefined) own.ATRIUM_ADMIN_PASSWORD = password;
      }
      return {
        name: subgraph.name,
        kind: 'subgraph' as const,
        port: subgraph.port,
        entry: `dist/subgraphs/${subgraph.name}/src/main.js`,
        env: own,
        readyPath: '/ready' as const,
        readyUrl: `http://${reachableHost(shared.HOST)}:${subgraph.port}/ready`,
        graphqlUrl: localUrl(subgraph.url, subgraph.port),
      };
    });

  if (args.gateway) {
    const gatewayEnv: NodeJS.ProcessEnv = { ...shared, PORT: String(GATEWAY_PORT) };
    const readyPath = args.subgraphs.length === subgraphs.length ? '/ready' : '/health';
    for (const subgraph of subgraphs) {
      const variable = subgraphUrlVariable(subgraph.name);
      gatewayEnv[variable] = env[variable] || subgraph.url;
    }
    specs.push({
      name: 'gateway',
      kind: 'gateway',
      port: GATEWAY_PORT,
      entry: 'dist/gateway/src/main.js',
      env: gatewayEnv,
      readyPath,
      readyUrl: `http://${reachableHost(shared.HOST)}:${GATEWAY_PORT}${readyPath}`,
      graphqlUrl: `http://localhost:${GATEWAY_PORT}/graphql`,
    });
  }
  return specs;
}

/**
 * Gives each subgraph its own database on `serverUrl` (the embedded server, or the one
 * DATABASE_URL named): `DATABASE_URL=<server>/atrium_<name>`. Returns new specs.
 */
export function withDatabases(specs: readonly ServiceSpec[], serverUrl: string): ServiceSpec[] {
  return specs.map((spec) =>
    spec.kind === 'subgraph' ? { ...spec, env: { ...spec.env, DATABASE_URL: databaseUrlFor(serverUrl, spec.name) } } : spec,
  );
}

/** Where to reach a service listening on `host` from this machine. */
export function reachableHost(host: string | undefined): string {
  if (!host || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** The routing URL as a developer would open it: on localhost, same port and path. */
function localUrl(routingUrl: string, port: number): string {
  const url = new URL(routingUrl);
  return `${url.protocol}//localhost:${port}${url.pathname}`;
}
