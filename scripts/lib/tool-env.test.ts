import { loadEventsEnv, loadRedisHostEnv, loadSeedEnv } from './tool-env';

const DEV = { email: 'admin@atrium.local', password: 'atrium-admin-dev' };

describe('the tools read their environment once', () => {
  it('takes GATEWAY_URL as the gateway base URL and sends the seed to its /graphql', () => {
    expect(loadSeedEnv(DEV, {})).toEqual({ gatewayUrl: 'http://127.0.0.1:4000', graphqlUrl: 'http://127.0.0.1:4000/graphql', admin: DEV });
    expect(loadSeedEnv(DEV, { GATEWAY_URL: 'http://gw:9000/' })).toMatchObject({ gatewayUrl: 'http://gw:9000', graphqlUrl: 'http://gw:9000/graphql' });
  });

  it('tolerates a GATEWAY_URL that already ends in /graphql, as health does', () => {
    expect(loadSeedEnv(DEV, { GATEWAY_URL: 'http://gw:9000/graphql' })).toMatchObject({ gatewayUrl: 'http://gw:9000', graphqlUrl: 'http://gw:9000/graphql' });
  });

  it('signs the seed in as ATRIUM_ADMIN_EMAIL / ATRIUM_ADMIN_PASSWORD when set', () => {
    expect(loadSeedEnv(DEV, { ATRIUM_ADMIN_EMAIL: 'root@x.test', ATRIUM_ADMIN_PASSWORD: 'secret-secret' }).admin).toEqual({ email: 'root@x.test', password: 'secret-secret' });
  });

  it("gives the events CLI the services' Redis and stream, with their defaults", () => {
    expect(loadEventsEnv({})).toEqual({ redisUrl: 'redis://127.0.0.1:6379', stream: 'atrium:events' });
    expect(loadEventsEnv({ REDIS_URL: 'redis://r:1', EVENTS_STREAM: 's' })).toEqual({ redisUrl: 'redis://r:1', stream: 's' });
  });

  it('starts the private redis-server where the runner says', () => {
    expect(loadRedisHostEnv({ ATRIUM_REDIS_BIN: '/bin/rs', ATRIUM_REDIS_PORT: '7000', ATRIUM_REDIS_DIR: '/tmp/r' })).toEqual({ bin: '/bin/rs', port: '7000', dir: '/tmp/r' });
  });
});
