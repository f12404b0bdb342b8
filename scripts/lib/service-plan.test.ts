import {
  DEV_ADMIN,
  databaseUrlFor,
  planServices,
  reachableHost,
  subgraphUrlVariable,
  withDatabases,
  type PlanInput,
} from './service-plan';
import type { SubgraphEntry } from '@atrium/kit';

const subgraphs: SubgraphEntry[] = [
  { name: 'identity', url: 'http://127.0.0.1:4001/graphql', port: 4001, schemaFile: '/r/schema/identity.graphql' },
  { name: 'catalog', url: 'http://127.0.0.1:4002/graphql', port: 4002, schemaFile: '/r/schema/catalog.graphql' },
  { name: 'booking', url: 'http://127.0.0.1:4003/graphql', port: 4003, schemaFile: '/r/schema/booking.graphql' },
];
const SERVER = 'postgres://postgres:s3cret@127.0.0.1:54329';

function plan(overrides: Partial<PlanInput> = {}): ReturnType<typeof planServices> {
  const specs = planServices({
    subgraphs,
    args: { subgraphs: subgraphs.map((subgraph) => subgraph.name), gateway: true, help: false },
    env: { PATH: '/usr/bin', LOG_LEVEL: 'debug' },
    color: false,
    ...overrides,
  });
  return withDatabases(specs, SERVER);
}

describe('planServices', () => {
  it('starts the subgraphs in supergraph.yaml order, then the gateway on 4000', () => {
    expect(plan().map((spec) => [spec.name, spec.port, spec.entry])).toEqual([
      ['identity', 4001, 'dist/subgraphs/identity/src/main.js'],
      ['catalog', 4002, 'dist/subgraphs/catalog/src/main.js'],
      ['booking', 4003, 'dist/subgraphs/booking/src/main.js'],
      ['gateway', 4000, 'dist/gateway/src/main.js'],
    ]);
  });

  it('gives each subgraph its port, its own database, the JWKS URL and pretty local logs', () => {
    const catalog = plan().find((spec) => spec.name === 'catalog');
    expect(catalog?.env).toEqual({
      PATH: '/usr/bin',
      LOG_LEVEL: 'debug',
      PORT: '4002',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://postgres:s3cret@127.0.0.1:54329/atrium_catalog',
      JWKS_URL: 'http://127.0.0.1:4001/.well-known/jwks.json',
      LOG_FORMAT: 'pretty',
      NODE_ENV: 'development',
    });
  });

  it('routes the gateway to every subgraph and gives it no database', () => {
    const gateway = plan({ env: { DATABASE_URL: 'postgres://elsewhere:5432', PORT: '9999' } }).find(
      (spec) => spec.kind === 'gateway',
    );
    expect(gateway?.env).toMatchObject({
      PORT: '4000',
      SUBGRAPH_IDENTITY_URL: 'http://127.0.0.1:4001/graphql',
      SUBGRAPH_CATALOG_URL: 'http://127.0.0.1:4002/graphql',
      SUBGRAPH_BOOKING_URL: 'http://127.0.0.1:4003/graphql',
      JWKS_URL: 'http://127.0.0.1:4001/.well-known/jwks.json',
    });
    expect(gateway?.env.DATABASE_URL).toBeUndefined();
    expect(gateway?.readyPath).toBe('/ready');
  });

  it('keeps overrides from the environment: HOST, LOG_FORMAT, NODE_ENV, JWKS_URL, SUBGRAPH_<NAME>_URL', () => {
    const env = {
      HOST: '0.0.0.0',
      LOG_FORMAT: 'json',
      NODE_ENV: 'test',
      JWKS_URL: 'http://idp:9000/jwks',
      SUBGRAPH_BOOKING_URL: 'http://10.0.0.7:4003/graphql',
    };
    const [identity, , , gateway] = plan({ env });
    expect(identity.env).toMatchObject({ HOST: '0.0.0.0', LOG_FORMAT: 'json', NODE_ENV: 'test', JWKS_URL: env.JWKS_URL });
    expect(gateway.env.SUBGRAPH_BOOKING_URL).toBe('http://10.0.0.7:4003/graphql');
  });

  it('hands the admin bootstrap credentials to identity only', () => {
    const specs = plan({ env: { ATRIUM_ADMIN_EMAIL: 'admin@example.com', ATRIUM_ADMIN_PASSWORD: 'pw' } });
    expect(specs[0].env).toMatchObject({ ATRIUM_ADMIN_EMAIL: 'admin@example.com', ATRIUM_ADMIN_PASSWORD: 'pw' });
    for (const spec of specs.slice(1)) {
      expect(spec.env.ATRIUM_ADMIN_EMAIL).toBeUndefined();
      expect(spec.env.ATRIUM_ADMIN_PASSWORD).toBeUndefined();
    }
  });

  it('with --only, starts those subgraphs and waits for the gateway to be live rather than ready', () => {
    const specs = plan({ args: { subgraphs: ['booking'], gateway: true, help: false } });
    expect(specs.map((spec) => spec.name)).toEqual(['booking', 'gateway']);
    expect(specs[1].readyPath).toBe('/health');
    // The gateway still knows where every subgraph would be.
    expect(specs[1].env.SUBGRAPH_IDENTITY_URL).toBe('http://127.0.0.1:4001/graphql');
  });

  it('leaves the gateway out with --no-gateway', () => {
    expect(plan({ args: { subgraphs: ['identity'], gateway: false, help: false } }).map((spec) => spec.name)).toEqual([
      'identity',
    ]);
  });

  it('asks children for colours only when the runner shows them and nobody said otherwise', () => {
    expect(plan({ color: true })[0].env.FORCE_COLOR).toBe('1');
    expect(plan({ color: false })[0].env.FORCE_COLOR).toBeUndefined();
    expect(plan({ color: true, env: { NO_COLOR: '1' } })[0].env.FORCE_COLOR).toBeUndefined();
  });

  it('refuses a subgraph on the gateway port or by the gateway name', () => {
    const onPort = [{ ...subgraphs[0], port: 4000, url: 'http://127.0.0.1:4000/graphql' }];
    expect(() => plan({ subgraphs: onPort, args: { subgraphs: ['identity'], gateway: true, help: false } })).toThrow(
      'subgraph identity (port 4000) collides with the gateway',
    );
    const named = [{ ...subgraphs[0], name: 'gateway' }];
    expect(() => plan({ subgraphs: named, args: { subgraphs: ['gateway'], gateway: true, help: false } })).toThrow(
      /collides with the gateway/,
    );
  });

  it('gives no database to anything before withDatabases', () => {
    const specs = planServices({
      subgraphs,
      args: { subgraphs: ['identity'], gateway: true, help: false },
      env: { DATABASE_URL: 'postgres://runner-only:5432' },
      color: false,
    });
    for (const spec of specs) expect(spec.env.DATABASE_URL).toBeUndefined();
  });

  it('polls readiness where each service listens', () => {
    expect(plan().map((spec) => spec.readyUrl)).toEqual([
      'http://127.0.0.1:4001/ready',
      'http://127.0.0.1:4002/ready',
      'http://127.0.0.1:4003/ready',
      'http://127.0.0.1:4000/ready',
    ]);
    expect(plan({ args: { subgraphs: ['identity'], gateway: true, help: false } })[1].readyUrl).toBe(
      'http://127.0.0.1:4000/health',
    );
    expect(reachableHost('0.0.0.0')).toBe('127.0.0.1');
    expect(reachableHost('::')).toBe('127.0.0.1');
    expect(reachableHost('::1')).toBe('[::1]');
    expect(reachableHost('192.168.1.20')).toBe('192.168.1.20');
  });

  it('prints subgraph endpoints on localhost', () => {
    expect(plan()[0].graphqlUrl).toBe('http://localhost:4001/graphql');
    expect(plan()[3].graphqlUrl).toBe('http://localhost:4000/graphql');
  });
});

describe('databaseUrlFor', () => {
  it('replaces any database in the server URL, keeping credentials and options', () => {
    expect(databaseUrlFor('postgres://u:p%40ss@db.example:5433/postgres?sslmode=require', 'booking')).toBe(
      'postgres://u:p%40ss@db.example:5433/atrium_booking?sslmode=require',
    );
  });

  it('turns dashes into underscores so the name needs no quoting', () => {
    expect(databaseUrlFor('postgres://db:5432', 'room-service')).toBe('postgres://db:5432/atrium_room_service');
    expect(subgraphUrlVariable('room-service')).toBe('SUBGRAPH_ROOM_SERVICE_URL');
  });

  it('gives identity a documented development admin unless told otherwise, and none in production', () => {
    const identity = (specs: ReturnType<typeof planServices>) => specs.find((s) => s.name === 'identity')!.env;
    expect(identity(plan())).toMatchObject({ ATRIUM_ADMIN_EMAIL: DEV_ADMIN.email, ATRIUM_ADMIN_PASSWORD: DEV_ADMIN.password });
    expect(identity(plan({ env: { ATRIUM_ADMIN_EMAIL: 'me@x.io', ATRIUM_ADMIN_PASSWORD: 'my-own-password' } }))).toMatchObject({ ATRIUM_ADMIN_EMAIL: 'me@x.io' });
    const prod = identity(plan({ env: { NODE_ENV: 'production' } }));
    expect(prod.ATRIUM_ADMIN_EMAIL).toBeUndefined();
    expect(prod.ATRIUM_ADMIN_PASSWORD).toBeUndefined();
    expect(plan().filter((s) => s.name !== 'identity').every((s) => s.env.ATRIUM_ADMIN_PASSWORD === undefined)).toBe(true);
  });
});
