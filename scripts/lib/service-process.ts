import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How a child process ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all. */
  error?: Error;
}

/** Options of {@link ServiceProcess.start}. */
export interface ServiceProcessOptions {
  /** Shown in messages (`identity`, `gateway`, `postgres`). */
  name: string;
  /** The JavaScript file node runs. */
  entry: string;
  /** Node options placed before the entry (`--require`, `--enable-source-maps`). */
  nodeArgs?: string[];
  /** The complete environment of the child (nothing else is inherited). */
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Receives every output line of the child, without its newline. */
  onLine: (stream: 'stdout' | 'stderr', line: string) => void;
}

/**
 * A Node.js child process run by the dev runner: output read line by line, an IPC
 * channel (so the child can report to us and notice our death, see parent-watch.ts), and
 * a stop that escalates from SIGTERM to SIGKILL.
 *
 * The child gets its own process group (`detached`): a Ctrl-C in the terminal then
 * reaches the runner alone, which stops the services in order (gateway, subgraphs,
 * database) instead of all of them at once racing each other.
 */
export class ServiceProcess {
  /** Resolves once the process has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;
  private stopRequested = false;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    this.exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => {
        // Let the last output lines through before anyone reports the exit, unless a
        // grandchild keeps the pipes open.
        const settle = (): void => resolve((this.exitInfo = { code, signal }));
        const timer = setTimeout(settle, 300);
        child.once('close', () => {
          clearTimeout(timer);
          settle();
        });
      });
      child.once('error', (error) => {
        // 'error' without 'exit' means the spawn itself failed.
        if (child.pid === undefined) resolve((this.exitInfo = { code: null, signal: null, error }));
      });
    });
  }

  /** Spawns `node [nodeArgs] entry` with stdin closed and stdout/stderr piped. */
  static start(options: ServiceProcessOptions): ServiceProcess {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.entry], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const readable = child[stream];
      if (readable) createInterface({ input: readable, crlfDelay: Infinity }).on('line', (line) => options.onLine(stream, line));
    }
    return new ServiceProcess(options.name, child);
  }

  /** True once the process has exited. */
  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** True once {@link stop} was called: an exit after that is expected. */
  get isStopping(): boolean {
    return this.stopRequested;
  }

  /**
   * Asks the process to stop (SIGTERM: services close servers, pools and consumers),
   * then after `graceMs` kills its whole process group so nothing it started outlives it.
   * Resolves with how it ended.
   */
  async stop(graceMs = 10_000): Promise<ExitInfo> {
    this.stopRequested = true;
    if (this.exitInfo) return this.exitInfo;
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const first = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    // On time-out, or to sweep up anything the child started and left behind.
    this.signalGroup('SIGKILL');
    return first === 'timeout' ? this.exited : first;
  }

  /** Sends a signal to the process itself; ignored once it is gone. */
  signal(signal: NodeJS.Signals): void {
    if (this.exitInfo || this.child.pid === undefined) return;
    try {
      process.kill(this.child.pid, signal);
    } catch {
      // Already gone between the check and the kill.
    }
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      // A negative pid addresses the process group the child leads (it was detached);
      // the group id cannot be reused while any member is alive.
      process.kill(-this.child.pid, signal);
    } catch {
      // ESRCH: the group is empty.
      this.signal(signal);
    }
  }
}

/** Describes an exit for humans: "exited with code 1", "was killed by SIGKILL". */
export function describeExit(info: ExitInfo): string {
  if (info.error) return `could not be started (${info.error.message})`;
  if (info.signal) return `was killed by ${info.signal}`;
  return `exited with code ${info.code}`;
}
