import { parseRunnerArgs, parseRunnerEnv, RunnerArgsError } from './runner-args';

const NAMES = ['identity', 'catalog', 'booking'];

describe('parseRunnerArgs', () => {
  it('starts every subgraph and the gateway without arguments', () => {
    expect(parseRunnerArgs([], NAMES)).toEqual({ subgraphs: NAMES, gateway: true, help: false });
  });

  it('starts the --only subgraphs in supergraph.yaml order, plus the gateway', () => {
    expect(parseRunnerArgs(['--only', 'booking,identity'], NAMES)).toEqual({
      subgraphs: ['identity', 'booking'],
      gateway: true,
      help: false,
    });
  });

  it('accepts --only=a,b, repeated --only and stray spaces', () => {
    expect(parseRunnerArgs(['--only=booking', '--only', ' identity , booking'], NAMES).subgraphs).toEqual([
      'identity',
      'booking',
    ]);
  });

  it('leaves the gateway out with --no-gateway', () => {
    expect(parseRunnerArgs(['--no-gateway', '--only', 'catalog'], NAMES)).toEqual({
      subgraphs: ['catalog'],
      gateway: false,
      help: false,
    });
  });

  it('names an unknown subgraph and lists the known ones', () => {
    expect(() => parseRunnerArgs(['--only', 'identity,bookings'], NAMES)).toThrow(
      new RunnerArgsError('unknown subgraph "bookings"; supergraph.yaml lists: identity, catalog, booking'),
    );
  });

  it('explains that the gateway is not selected with --only', () => {
    expect(() => parseRunnerArgs(['--only', 'gateway'], NAMES)).toThrow(/the gateway always starts unless --no-gateway/);
  });

  it('rejects --only without names and unknown arguments', () => {
    expect(() => parseRunnerArgs(['--only'], NAMES)).toThrow(/--only needs a comma-separated list/);
    expect(() => parseRunnerArgs(['--only', '--no-gateway'], NAMES)).toThrow(/--only needs a comma-separated list/);
    expect(() => parseRunnerArgs(['--only', ','], NAMES)).toThrow(/--only needs at least one subgraph/);
    expect(() => parseRunnerArgs(['--watch'], NAMES)).toThrow(/unknown argument "--watch"[\s\S]*Usage: npm start/);
  });

  it('recognises --help and -h', () => {
    expect(parseRunnerArgs(['--help'], NAMES).help).toBe(true);
    expect(parseRunnerArgs(['-h'], NAMES).help).toBe(true);
  });
});

describe('parseRunnerEnv', () => {
  it('uses the embedded server and a 60 s readiness timeout by default', () => {
    expect(parseRunnerEnv({})).toEqual({ databaseUrl: undefined, readyTimeoutMs: 60_000 });
    expect(parseRunnerEnv({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('takes DATABASE_URL as the server to use and ATRIUM_READY_TIMEOUT in seconds', () => {
    expect(parseRunnerEnv({ DATABASE_URL: 'postgres://u:p@db:5432', ATRIUM_READY_TIMEOUT: '90' })).toEqual({
      databaseUrl: 'postgres://u:p@db:5432',
      readyTimeoutMs: 90_000,
    });
  });

  it('rejects a DATABASE_URL that is not a postgres URL and a timeout that is not a number', () => {
    expect(() => parseRunnerEnv({ DATABASE_URL: 'mysql://db' })).toThrow(/DATABASE_URL must be a postgres:\/\/ URL/);
    expect(() => parseRunnerEnv({ ATRIUM_READY_TIMEOUT: 'soon' })).toThrow(/ATRIUM_READY_TIMEOUT must be a number/);
    expect(() => parseRunnerEnv({ ATRIUM_READY_TIMEOUT: '0' })).toThrow(/ATRIUM_READY_TIMEOUT/);
  });
});
