import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadHealthConfig } from '../config';
import { baseUrl, monitoredServices } from './targets';

describe('monitoredServices', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'atrium-health-targets-'));
    file = path.join(dir, 'supergraph.yaml');
    writeFileSync(
      file,
      ['subgraphs:', ...['identity:4001', 'health:4007', 'my-svc:4010'].flatMap((s) => {
        const [name, port] = s.split(':');
        return [`  ${name}:`, `    routing_url: http://127.0.0.1:${port}/graphql`, '    schema:', `      file: ./${name}.graphql`];
      })].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('polls every subgraph of supergraph.yaml at its routing URL minus /graphql, but not itself, then the gateway', () => {
    const config = loadHealthConfig({ SUPERGRAPH_CONFIG: file });
    expect(monitoredServices(config)).toEqual([
      { name: 'identity', url: 'http://127.0.0.1:4001' },
      { name: 'my-svc', url: 'http://127.0.0.1:4010' },
      { name: 'gateway', url: 'http://127.0.0.1:4000' },
    ]);
  });

  it('takes HEALTH_SERVICE_<NAME>_URL over the routing URL and GATEWAY_URL over the default', () => {
    const config = loadHealthConfig({
      SUPERGRAPH_CONFIG: file,
      GATEWAY_URL: 'http://gw:9000/',
      HEALTH_SERVICE_IDENTITY_URL: 'http://id:1234/graphql',
      HEALTH_SERVICE_MY_SVC_URL: 'http://svc:5678',
    });
    expect(monitoredServices(config)).toEqual([
      { name: 'identity', url: 'http://id:1234' },
      { name: 'my-svc', url: 'http://svc:5678' },
      { name: 'gateway', url: 'http://gw:9000' },
    ]);
  });

  it('fails fast on an override that is not a URL', () => {
    expect(() => loadHealthConfig({ HEALTH_SERVICE_IDENTITY_URL: 'nope' })).toThrow(/HEALTH_SERVICE_IDENTITY_URL/);
  });

  it('has the documented defaults', () => {
    expect(loadHealthConfig({})).toMatchObject({ PORT: 4007, HEALTH_POLL_INTERVAL_MS: 5000, HEALTH_TIMEOUT_MS: 2000, SUPERGRAPH_CONFIG: 'supergraph.yaml', GATEWAY_URL: 'http://127.0.0.1:4000', serviceUrls: {} });
    expect(loadHealthConfig({}).DATABASE_URL).toMatch(/\/atrium_health$/);
  });

  it('strips /graphql and a trailing slash from a base URL', () => {
    expect(baseUrl('http://a:1/graphql')).toBe('http://a:1');
    expect(baseUrl('http://a:1/graphql/')).toBe('http://a:1');
    expect(baseUrl('http://a:1/')).toBe('http://a:1');
  });
});
