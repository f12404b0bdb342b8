import { packageOf, summarizeProfile, type CpuProfile } from './profile-summary';

describe('profile summary', () => {
  it('names the package a script belongs to', () => {
    expect(packageOf('file:///w/node_modules/@apollo/gateway/dist/index.js')).toBe('@apollo/gateway');
    expect(packageOf('file:///w/node_modules/graphql/execution/execute.js')).toBe('graphql');
    expect(packageOf('file:///w/dist/gateway/src/server.js')).toBe('atrium:gateway/src');
    expect(packageOf('node:internal/streams')).toBe('node:');
    expect(packageOf('')).toBe('(native)');
  });

  it('adds up self time per package and per function', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
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
});
