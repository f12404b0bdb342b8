import { packageOf, summarizeProfile, type CpuProfile } from './profile-summary';

const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });

describe('profile summary', () => {
  it('names the package a script belongs to', () => {
    expect(packageOf('file:///w/node_modules/@apollo/gateway/dist/index.js')).toBe('@apollo/gateway');
    expect(packageOf('file:///w/node_modules/graphql/execution/execute.js')).toBe('graphql');
    expect(packageOf('file:///w/dist/gateway/src/server.js')).toBe('atrium:gateway/src');
    expect(packageOf('node:internal/streams')).toBe('node:');
    expect(packageOf('')).toBe('(native)');
  });

  it('adds up self time per package and per function', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 3] },
        { id: 2, callFrame: frame('execute', 'file:///w/node_modules/graphql/x.js') },
        { id: 3, callFrame: frame('authorize', 'file:///w/dist/gateway/src/a.js') },
      ],
      samples: [2, 2, 2, 3],
      timeDeltas: [100, 100, 100, 100],
    };
    const text = summarizeProfile(profile);
    expect(text).toContain(' 75.0%  graphql');
    expect(text).toContain(' 25.0%  atrium:gateway/src');
    expect(text).toContain(' 75.0%  execute  graphql:1');
  });

  it('adds up inclusive time: a function counts in every sample it is on the stack of, once', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2] },
        { id: 2, callFrame: frame('handle', 'file:///w/dist/kit/src/h.js'), children: [3, 4] },
        { id: 3, callFrame: frame('execute', 'file:///w/node_modules/graphql/x.js'), children: [5] },
        { id: 4, callFrame: frame('send', 'node:net') },
        { id: 5, callFrame: frame('handle', 'file:///w/dist/kit/src/h.js') },
      ],
      samples: [3, 4, 5, 2],
      timeDeltas: [100, 100, 100, 100],
    };
    const inclusive = summarizeProfile(profile).split('top functions by inclusive time')[1];
    expect(inclusive).toContain('100.0%  handle  atrium:kit/src/h.js:1'); // once per sample, though twice on one stack
    expect(inclusive).toContain(' 50.0%  execute  graphql/x.js:1');
    expect(inclusive).toContain(' 25.0%  send  node::1');
    expect(inclusive).not.toContain('(root)');
  });

  it('counts only the samples inside a window when given one (the load, not the start-up)', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 3] },
        { id: 2, callFrame: frame('compile', 'node:internal/modules') },
        { id: 3, callFrame: frame('execute', 'file:///w/node_modules/graphql/x.js') },
      ],
      samples: [2, 2, 3, 3, 2],
      timeDeltas: [100, 100, 100, 100, 100],
      startTime: 1_000,
    };
    const text = summarizeProfile(profile, 25, { from: 1_250, to: 1_450 });
    expect(text).toContain('0.0 s sampled, during the load only');
    expect(text).toContain('100.0%  graphql');
    expect(text).not.toContain('node:');
  });
});
