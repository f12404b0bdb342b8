import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseManifest } from '../../gateway/src/http/trusted-documents-manifest';
import { findRepoRoot } from './repo-root';

/** A trusted document, as the manifest lists it: the seed sends its id, or its body to a gateway that does not read the manifest. */
export interface SeedOperation {
  name: string;
  /** The SHA-256 of `body`. */
  id: string;
  body: string;
}

/** What the seed does, and the operation of documents/seed.graphql that does it. */
export const SEED_OPERATION_NAMES = {
  register: 'SeedRegister',
  login: 'SeedLogin',
  setUserRoles: 'SeedSetUserRoles',
  workspaces: 'SeedWorkspaces',
  createLocation: 'SeedCreateLocation',
  createWorkspace: 'SeedCreateWorkspace',
  createBooking: 'SeedCreateBooking',
  payForBooking: 'SeedPayForBooking',
  cancelBooking: 'SeedCancelBooking',
} as const;

export type SeedOperations = Record<keyof typeof SEED_OPERATION_NAMES, SeedOperation>;

/**
 * The seed's operations, read from the trusted-documents manifest (by default the
 * repository's documents/manifest.json, the one the gateway reads): they are written once,
 * in documents/seed.graphql, and `npm run documents` puts them there. Throws, naming the
 * file, when one is missing.
 */
export function loadSeedOperations(manifestFile: string = path.join(findRepoRoot(), 'documents', 'manifest.json')): SeedOperations {
  const { operations } = parseManifest(readFileSync(manifestFile, 'utf8'), manifestFile);
  const pick = (name: string): SeedOperation => {
    const op = operations.find((o) => o.name === name);
    if (!op) throw new Error(`${manifestFile} has no operation ${name}: run \`npm run documents\` (documents/seed.graphql defines it)`);
    return { name, id: op.id, body: op.body };
  };
  return Object.fromEntries(Object.entries(SEED_OPERATION_NAMES).map(([key, name]) => [key, pick(name)])) as SeedOperations;
}
