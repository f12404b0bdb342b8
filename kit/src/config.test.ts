import { ConfigError, loadConfig, subgraphEnv } from './config';

const load = (env: Record<string, string>) => loadConfig(subgraphEnv(4999, 'atrium_test'), env);

describe('EVENTS_RETAIN', () => {
  it('keeps relayed events 7 days unless told otherwise', () => {
    expect(load({}).EVENTS_RETAIN).toBe(7 * 86_400);
  });

  it('reads seconds, or a number with s, m, h or d', () => {
    expect(load({ EVENTS_RETAIN: '3600' }).EVENTS_RETAIN).toBe(3600);
    expect(load({ EVENTS_RETAIN: '90s' }).EVENTS_RETAIN).toBe(90);
    expect(load({ EVENTS_RETAIN: '15m' }).EVENTS_RETAIN).toBe(900);
    expect(load({ EVENTS_RETAIN: '12h' }).EVENTS_RETAIN).toBe(43_200);
    expect(load({ EVENTS_RETAIN: '30d' }).EVENTS_RETAIN).toBe(30 * 86_400);
  });

  it('refuses anything else, naming the variable', () => {
    for (const bad of ['0', '-1', '7 days', '1w', 'soon', '']) {
      expect(() => load({ EVENTS_RETAIN: bad })).toThrow(ConfigError);
      expect(() => load({ EVENTS_RETAIN: bad })).toThrow(/EVENTS_RETAIN/);
    }
  });
});
