import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** True when a process with this pid exists (including one we may not signal). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The argument vector of a live process, or undefined when it is gone. Reads /proc on
 * Linux and falls back to `ps` elsewhere (macOS).
 */
export function commandLineOf(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((arg) => arg !== '');
  } catch {
    const out = psField(pid, 'args');
    // ps joins arguments with spaces; good enough for the substring checks we make.
    return out === undefined ? undefined : out.split(' ');
  }
}

/** The parent pid of a live process, or undefined when it is gone. */
export function parentPidOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command) is parenthesised and may contain spaces: parse after it.
    const afterCommand = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(afterCommand[1]);
  } catch {
    const out = psField(pid, 'ppid');
    return out === undefined ? undefined : Number(out);
  }
}

function psField(pid: number, field: 'args' | 'ppid'): string | undefined {
  try {
    const out = execFileSync('ps', ['-o', `${field}=`, '-p', String(pid)], { encoding: 'utf8' }).trim();
    return out === '' ? undefined : out;
  } catch {
    return undefined;
  }
}

/** Resolves once `pid` no longer exists, or with false after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Sends each signal in turn to a process we did not spawn (so we cannot wait on it),
 * giving it `graceMs` to exit after each one. Resolves with the signal that ended it,
 * or throws if it survived them all.
 */
export async function terminatePid(
  pid: number,
  signals: NodeJS.Signals[],
  graceMs: number,
): Promise<NodeJS.Signals | undefined> {
  for (const signal of signals) {
    if (!isAlive(pid)) return undefined;
    try {
      process.kill(pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
      throw error;
    }
    if (await waitForExit(pid, graceMs)) return signal;
  }
  throw new Error(`process ${pid} is still alive after ${signals.join(', ')}`);
}
