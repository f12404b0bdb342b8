import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The repository root: the nearest folder at or above `from` holding `supergraph.yaml`.
 * Scripts run both from sources (jest: scripts/lib) and compiled (dist/scripts/lib), so
 * a fixed number of `..` would be wrong in one of them.
 */
export function findRepoRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'supergraph.yaml'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no supergraph.yaml found in ${from} or any folder above it`);
    dir = parent;
  }
}
