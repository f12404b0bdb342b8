/**
 * The child processes of a benchmark run: each service, gateway and helper runs as a
 * Node.js process of its own (never inside the load generator), its output going to a
 * log file, and every one of them is stopped by PID when the run ends, fails or is
 * interrupted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeExit, type ExitInfo } from '../scripts/lib/service-process';

export interface ChildOptions {
  name: string;
  /** The JavaScript file node runs. */
  entry: string;
  /** Arguments after the entry. */
  args?: string[];
  /** Node options before the entry. */
  nodeArgs?: string[];
  /** The complete environment. */
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Where stdout and stderr go. */
  logFile: string;
}

/** One running child process. */
export class Child {
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;
  private stopping = false;

  private constructor(
    readonly name: string,
    readonly process: ChildProcess,
    readonly logFile: string,
    private readonly log: WriteStream,
  ) {
    this.exited = new Promise((resolve) => {
      process.once('exit', (code, signal) => resolve((this.exitInfo = { code, signal })));
      process.once('error', (error) => {
        if (process.pid === undefined) resolve((this.exitInfo = { code: null, signal: null, error }));
      });
    });
    void this.exited.then(() => log.end());
  }

  static start(options: ChildOptions): Child {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.entry, ...(options.args ?? [])], {
      cwd: options.cwd,
      env: options.env,
      // An IPC channel: with parent-watch.js preloaded the child stops if we die (even by SIGKILL).
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Its own process group: a Ctrl-C reaches the benchmark alone, which stops children in order.
      detached: true,
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    return new Child(options.name, child, options.logFile, log);
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** The last lines of its log, for error messages. */
  tail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** SIGTERM, then SIGKILL to its process group after `graceMs`. */
  async stop(graceMs = 8_000): Promise<ExitInfo> {
    this.stopping = true;
    if (!this.exitInfo && this.process.pid !== undefined) {
      try {
        process.kill(this.process.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await Promise.race([this.exited, sleep(graceMs)]);
    }
    if (this.process.pid !== undefined) {
      try {
        // Sweeps up anything it started; the group id cannot be reused while a member lives.
        process.kill(-this.process.pid, 'SIGKILL');
      } catch {
        // ESRCH: the group is empty
      }
    }
    return this.exited;
  }

  describeExit(): string {
    return this.exitInfo ? describeExit(this.exitInfo) : 'is running';
  }
}

/** Reads a field of /proc/<pid>/status in kB (VmHWM, VmRSS); null when unavailable. */
export function procStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Resets the peak resident set (VmHWM) of `pid` to its current RSS (Linux ≥ 4.0, writing
 * 5 to clear_refs). Returns false when not allowed or not supported: the peak then covers
 * the process's whole life.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** User + system CPU time of `pid` in seconds (from /proc/<pid>/stat); null when unavailable. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after its closing parenthesis are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}
