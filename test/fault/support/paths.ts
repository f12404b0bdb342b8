import { readFileSync } from 'node:fs';
import { findRepoRoot } from '../../../scripts/lib/repo-root';

export const REPO_ROOT = findRepoRoot(__dirname);

/** The last lines of a log file, for error messages (empty when it cannot be read). */
export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
