import { readFileSync } from 'node:fs';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pruneDanglingOptionals } = require('./prune-lockfile.js') as { pruneDanglingOptionals: (lock: unknown) => string[] };

describe('package-lock.json', () => {
  it('has no optional edge to a package it does not contain (else `npm ci` refuses it: run `npm run lockfile:prune`)', () => {
    const lock = JSON.parse(readFileSync(path.join(__dirname, '..', 'package-lock.json'), 'utf8'));
    expect(pruneDanglingOptionals(lock)).toEqual([]);
  });

  it('prunes exactly the dangling edges', () => {
    const lock = {
      packages: {
        '': { name: 'x' },
        'node_modules/@swc/core': { optionalDependencies: { '@swc/core-linux-x64-gnu': '1', '@swc/core-darwin-arm64': '1' } },
        'node_modules/@swc/core-linux-x64-gnu': { version: '1' },
      },
    };
    expect(pruneDanglingOptionals(lock)).toEqual(['node_modules/@swc/core → @swc/core-darwin-arm64']);
    expect(lock.packages['node_modules/@swc/core'].optionalDependencies).toEqual({ '@swc/core-linux-x64-gnu': '1' });
  });
});
