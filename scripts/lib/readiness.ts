import { setTimeout as sleep } from 'node:timers/promises';
import { describeExit, type ExitInfo } from './service-process';

/** Options of {@link waitUntilReady}. */
export interface WaitUntilReadyOptions {
  /** Shown in the error (`identity`). */
  name: string;
  /** The URL that answers 200 once the service is ready. */
  url: string;
  timeoutMs: number;
  /** The service's exit: waiting stops at once if it dies. */
  exited: Promise<ExitInfo>;
  /** Aborts the wait (Ctrl-C during start-up). */
  signal?: AbortSignal;
  /** Pause between polls. Default 200 ms. */
  intervalMs?: number;
}

/** A service that did not come up; the message names it and says why. */
export class NotReadyError extends Error {
  override name = 'NotReadyError';
}

/**
 * Polls `url` until it answers 200. Rejects with a {@link NotReadyError} when the
 * service exits first ("identity exited with code 1 before it was ready") or when the
 * time runs out, naming the last answer (a 503 and its body, or the connection error).
 */
export async function waitUntilReady(options: WaitUntilReadyOptions): Promise<void> {
  const { name, url, timeoutMs, signal } = options;
  let exit: ExitInfo | undefined;
  void options.exited.then((info) => (exit = info));
  const deadline = Date.now() + timeoutMs;
  let lastAnswer = 'no answer yet';

  for (;;) {
    signal?.throwIfAborted();
    if (exit) throw new NotReadyError(`${name} ${describeExit(exit)} before it was ready (its output is above)`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
      const body = (await response.text()).trim().slice(0, 300);
      lastAnswer = `${response.status}${body ? ` ${body}` : ''}`;
    } catch (error) {
      lastAnswer = connectionError(error);
    }
    if (Date.now() >= deadline) {
      throw new NotReadyError(
        `${name} was not ready after ${Math.round(timeoutMs / 1000)} s: ${url} answered ${lastAnswer}` +
          ' (raise ATRIUM_READY_TIMEOUT if it is only slow)',
      );
    }
    await sleep(options.intervalMs ?? 200);
  }
}

// fetch wraps the useful part ("connect ECONNREFUSED 127.0.0.1:4001") in its `cause`.
function connectionError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  return error instanceof Error ? error.message : String(error);
}
