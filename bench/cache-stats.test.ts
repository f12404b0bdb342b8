import { addCounters, addTallies, cacheCounters, counterDelta, emptyTally, hitRatios, parseVersioned, StaleLedger, versionedName, versionsSeen } from './cache-stats';

describe('versioned names', () => {
  it('round-trips a base name and a version, no suffix being version 0', () => {
    expect(parseVersioned('Hot desk #3')).toEqual({ base: 'Hot desk #3', version: 0 });
    expect(parseVersioned(versionedName('Hot desk #3', 12))).toEqual({ base: 'Hot desk #3', version: 12 });
    expect(versionedName('Hot desk #3', 0)).toBe('Hot desk #3');
    expect(parseVersioned('Room @v2 @v7')).toEqual({ base: 'Room @v2', version: 7 });
  });

  it('finds the known workspaces of an answer, the oldest version of one seen twice', () => {
    const known = new Set(['Desk #1', 'Room #2']);
    const a = { workspaces: { edges: [{ node: { id: '1', name: 'Desk #1 @v3', capacity: 1 } }, { node: { id: '2', name: 'Room #2' } }, { node: { id: '9', name: 'Other' } }] } };
    expect(versionsSeen(a, known)).toEqual(new Map([['Desk #1', 3], ['Room #2', 0]]));
    const b = {
      me: {
        bookings: {
          edges: [
            { node: { status: 'CONFIRMED', workspace: { name: 'Desk #1 @v4', location: { city: 'Lyon' } }, user: { name: 'Bench Member 0' } } },
            { node: { status: 'CONFIRMED', workspace: { name: 'Desk #1 @v2', location: { city: 'Lyon' } }, user: { name: 'Bench Member 0' } } },
          ],
        },
      },
    };
    expect(versionsSeen(b, known)).toEqual(new Map([['Desk #1', 2]]));
    expect(versionsSeen(null, known).size).toBe(0);
  });
});

describe('StaleLedger', () => {
  /** Desk #1: v1 sent at 100, answered at 110, relayed at 120; v2 sent at 200, answered 210, relayed 230. */
  const ledger = () => {
    const l = new StaleLedger();
    l.track('Desk #1');
    l.track('Room #2');
    expect(l.nextVersion('Desk #1')).toBe(1);
    l.sent('Desk #1', 1, 100);
    l.answered('Desk #1', 1, 110);
    expect(l.relayed('Desk #1', 120)).toBe(1);
    l.sent('Desk #1', 2, 200);
    l.answered('Desk #1', 2, 210);
    expect(l.relayed('Desk #1', 230)).toBe(2);
    expect(l.nextVersion('Desk #1')).toBe(3);
    return l;
  };

  it('calls a read stale only when it started after a newer version was relayed', () => {
    const l = ledger();
    const tally = emptyTally();
    // Before any write, during the first write, after its relay.
    expect(l.read(50, new Map([['Desk #1', 0]]), tally)).toBe('fresh');
    expect(l.read(105, new Map([['Desk #1', 0]]), tally)).toBe('fresh'); // sent, not answered: the commit may not have happened
    expect(l.read(115, new Map([['Desk #1', 0]]), tally)).toBe('window'); // committed, not relayed
    expect(l.read(125, new Map([['Desk #1', 0]]), tally)).toBe('stale');
    expect(l.read(125, new Map([['Desk #1', 1]]), tally)).toBe('fresh');
    expect(l.read(220, new Map([['Desk #1', 1]]), tally)).toBe('window');
    expect(l.read(240, new Map([['Desk #1', 1], ['Room #2', 0]]), tally)).toBe('stale');
    expect(l.read(240, new Map([['Desk #1', 2]]), tally)).toBe('fresh');
    // A read started exactly at the relay is not after it.
    expect(l.read(230, new Map([['Desk #1', 1]]), tally)).toBe('window');
    expect(tally).toMatchObject({ reads: 9, stale: 2, window: 3, staleEntries: 2 });
    expect(tally.examples).toEqual([
      { workspace: 'Desk #1', seen: 0, expected: 1, afterRelayMs: 5 },
      { workspace: 'Desk #1', seen: 1, expected: 2, afterRelayMs: 10 },
    ]);
  });

  it('counts a read once however many of its workspaces are stale, and ignores reads without written workspaces', () => {
    const l = ledger();
    l.sent('Room #2', 1, 300);
    l.answered('Room #2', 1, 301);
    l.relayed('Room #2', 302);
    const tally = emptyTally();
    expect(l.read(400, new Map([['Desk #1', 0], ['Room #2', 0]]), tally)).toBe('stale');
    expect(l.read(400, new Map([['Unknown', 0]]), tally)).toBe('fresh');
    l.read(400, new Map(), tally);
    expect(tally).toMatchObject({ reads: 2, stale: 1, window: 0, staleEntries: 2 });
  });

  it('relays the oldest waiting version, ignores invalidations with none waiting, forgets failed writes', () => {
    const l = new StaleLedger();
    l.track('Desk #1');
    expect(l.relayed('Desk #1', 10)).toBeUndefined(); // no write yet: another cause
    l.sent('Desk #1', 1, 100);
    expect(l.relayed('Desk #1', 90)).toBeUndefined(); // heard before the write was sent
    l.sent('Desk #1', 2, 150);
    l.answered('Desk #1', 1, 105);
    l.answered('Desk #1', 2, 160);
    expect(l.relayed('Desk #1', 170)).toBe(1);
    expect(l.relayed('Desk #1', 180)).toBe(2);
    l.sent('Desk #1', 3, 200);
    l.failed('Desk #1', 3);
    expect(l.nextVersion('Desk #1')).toBe(3);
    expect(l.relayed('Desk #1', 210)).toBeUndefined();
    expect(l.relaySummary()).toEqual({ written: 2, relayed: 2, notRelayed: 0, relayMs: { p50: 20, p99: 65, max: 65 } });
  });

  it('reports versions never relayed and relays heard before the answer (negative latency)', () => {
    const l = new StaleLedger();
    l.sent('Desk #1', 1, 100);
    l.relayed('Desk #1', 104);
    l.answered('Desk #1', 1, 106);
    l.sent('Desk #1', 2, 200);
    l.answered('Desk #1', 2, 205);
    expect(l.relaySummary()).toEqual({ written: 2, relayed: 1, notRelayed: 1, relayMs: { p50: -2, p99: -2, max: -2 } });
    expect(() => l.nextVersion('Room #2')).toThrow(/not tracked/);
  });

  it('adds tallies, keeping five examples', () => {
    const example = { workspace: 'Desk #1', seen: 0, expected: 1, afterRelayMs: 1 };
    const t = { reads: 10, stale: 4, window: 1, staleEntries: 4, examples: [example, example, example, example] };
    expect(addTallies([t, t])).toEqual({ reads: 20, stale: 8, window: 2, staleEntries: 8, examples: [example, example, example, example, example] });
  });
});

describe('cache counters', () => {
  const metrics = (hitsMemory: number, hitsRedis: number, misses: number, response?: [number, number]) =>
    [
      '# HELP atrium_cache_hits_total Entities answered from the entity cache.',
      '# TYPE atrium_cache_hits_total counter',
      `atrium_cache_hits_total{type="Workspace",tier="memory"} ${hitsMemory}`,
      `atrium_cache_hits_total{type="Workspace",tier="redis"} ${hitsRedis}`,
      `atrium_cache_misses_total{type="Workspace"} ${misses}`,
      'atrium_cache_invalidations_total{type="Workspace",tier="redis"} 3',
      ...(response ? [`atrium_response_cache_hits_total ${response[0]}`, `atrium_response_cache_misses_total ${response[1]}`] : []),
    ].join('\n');

  it('reads hits, the memory tier, misses and the response cache when the gateway has one', () => {
    expect(cacheCounters(metrics(5, 3, 2))).toEqual({ entityHits: 8, memoryHits: 5, entityMisses: 2, responseHits: null, responseMisses: null, invalidations: 3 });
    expect(cacheCounters('')).toEqual({ entityHits: 0, memoryHits: 0, entityMisses: 0, responseHits: null, responseMisses: null, invalidations: 0 });
    expect(cacheCounters(metrics(0, 0, 0, [90, 10]))).toMatchObject({ responseHits: 90, responseMisses: 10 });
    // No hit yet: the labelled hits counter is not exported, the unlabelled misses counter is.
    expect(cacheCounters('# TYPE atrium_response_cache_hits_total counter\natrium_response_cache_misses_total 0')).toMatchObject({ responseHits: 0, responseMisses: 0 });
  });

  it('takes deltas over a sample and the hit ratios', () => {
    const delta = counterDelta(cacheCounters(metrics(5, 3, 2, [10, 5])), cacheCounters(metrics(65, 23, 12, [100, 15])));
    expect(delta).toEqual({ entityHits: 80, memoryHits: 60, entityMisses: 10, responseHits: 90, responseMisses: 10, invalidations: 0 });
    expect(hitRatios(delta)).toEqual({ entity: 80 / 90, response: 0.9 });
    expect(hitRatios(counterDelta(cacheCounters(''), cacheCounters('')))).toEqual({ entity: null, response: null });
    const sum = addCounters([delta, delta]);
    expect(sum).toMatchObject({ entityHits: 160, responseHits: 180 });
    expect(addCounters([delta, cacheCounters('')]).responseHits).toBeNull();
  });
});
