/**
 * The e2e and fault tiers' own settings, read once from the environment (documented in
 * .env.example). The servers a suite starts get environments of their own, never the
 * test process's (whose NODE_ENV, REDIS_URL… belong to jest).
 */
export interface TierEnv {
  /** CHROMIUM_PATH: the browser the dashboard's test drives. */
  chromiumPath: string;
  /** ATRIUM_FAULT_VERBOSE=1: each fault scenario prints when its phases ended and what it saw. */
  faultVerbose: boolean;
  /** ATRIUM_FAULT_KEEP=1: a fault suite leaves its folder (service logs, data) behind. */
  faultKeep: boolean;
  /** What the fault tier's processes take from the shell: PATH, HOME and TMPDIR, nothing else. */
  inherited: NodeJS.ProcessEnv;
}

export function loadTierEnv(env: NodeJS.ProcessEnv = process.env): TierEnv {
  return {
    chromiumPath: env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    faultVerbose: env.ATRIUM_FAULT_VERBOSE === '1',
    faultKeep: env.ATRIUM_FAULT_KEEP === '1',
    inherited: { PATH: env.PATH, HOME: env.HOME, TMPDIR: env.TMPDIR },
  };
}

export const tierEnv: TierEnv = loadTierEnv();
