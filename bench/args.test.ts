import { DEFAULTS, parseBenchArgs, plannedSeconds } from './args';

describe('parseBenchArgs', () => {
  it('defaults to both benchmarks, every target and query', () => {
    expect(parseBenchArgs([])).toEqual({ help: false, ...DEFAULTS });
  });
  it('reads the measuring settings, with or without =', () => {
    const args = parseBenchArgs(['--rounds', '2', '--duration=3', '--connections', '16', '--warmup', '0']);
    expect(args).toMatchObject({ rounds: 2, duration: 3, connections: 16, warmup: 0 });
  });
  it('takes targets by name or letter, in the canonical order', () => {
    expect(parseBenchArgs(['--only', 'hive,a']).targets).toEqual(['atrium', 'hive']);
    expect(parseBenchArgs(['--only', 'D,stock']).targets).toEqual(['stock', 'direct']);
    expect(parseBenchArgs(['--queries', 'nested']).queries).toEqual(['nested']);
  });
  it('picks one benchmark with a command word', () => {
    expect(parseBenchArgs(['contention'])).toMatchObject({ gateways: false, contention: true });
    expect(parseBenchArgs(['gateways'])).toMatchObject({ gateways: true, contention: false });
    expect(parseBenchArgs(['--no-contention'])).toMatchObject({ gateways: true, contention: false });
    expect(parseBenchArgs(['contention', '--contention-sizes', '5,20', '--throughput-levels', '2'])).toMatchObject({ contentionSizes: [5, 20], throughputLevels: [2] });
  });
  it('refuses what it does not understand, naming it', () => {
    expect(() => parseBenchArgs(['--only', 'router'])).toThrow(/unknown "router"/);
    expect(() => parseBenchArgs(['--rounds', '0'])).toThrow(/--rounds/);
    expect(() => parseBenchArgs(['--duration', 'x'])).toThrow(/--duration/);
    expect(() => parseBenchArgs(['--rounds'])).toThrow(/--rounds/);
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown argument "--fast"/);
    expect(() => parseBenchArgs(['gateways', 'contention'])).toThrow(/choose one/);
  });
});

describe('plannedSeconds', () => {
  it('adds warm-up and rounds of every cell, and the contention work', () => {
    const args = parseBenchArgs(['--rounds', '2', '--duration', '3', '--warmup', '1', '--only', 'a,b', '--queries', 'single', '--no-contention']);
    expect(plannedSeconds(args)).toBe(2 * (1 + 2 * 3));
  });
  it('keeps the default run within ten minutes of measuring', () => {
    expect(plannedSeconds(parseBenchArgs([]))).toBeLessThan(600);
  });
});
