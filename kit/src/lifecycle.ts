import type { Logger } from 'pino';

/**
 * One feature of a service with one lifecycle (a database, a queue, an HTTP server…): its
 * host starts it after the modules it needs, and closes it in reverse order.
 */
export interface Module<T> {
  /** Named in the log line of a close that failed. */
  readonly name: string;
  /** Starts the feature; resolves to what it gives the modules after it (a handle, routes…). */
  start(): Promise<T> | T;
  /** Undoes `start`, given what it resolved to. Absent when there is nothing to close. */
  close?(started: T): Promise<void> | void;
}

/** Starts a module and remembers how to close it. */
export type Use = <T>(module: Module<T>) => Promise<T>;

/**
 * Starts a service as a list of modules: `build` starts them one after another with `use`
 * and returns what the service exposes. Resolves to that plus `close()`, which closes the
 * modules in reverse order (every one of them, even if one fails; the first failure is
 * then thrown). If `build` throws, the modules already started are closed the same way
 * before the error is rethrown: a start that fails half-way leaves nothing open.
 */
export async function startModules<T extends object>(log: Logger, build: (use: Use) => Promise<T>): Promise<T & { close(): Promise<void> }> {
  const started: { name: string; close: () => Promise<void> | void }[] = [];
  const use: Use = async (module) => {
    const value = await module.start();
    if (module.close) started.push({ name: module.name, close: () => module.close!(value) });
    return value;
  };
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      let failure: { err: unknown } | undefined;
      for (const { name, close: closeModule } of started.splice(0).reverse()) {
        try {
          await closeModule();
        } catch (err) {
          log.error({ err, module: name }, 'module failed to close');
          failure ??= { err };
        }
      }
      if (failure) throw failure.err;
    })());
  try {
    return { ...(await build(use)), close };
  } catch (err) {
    // The start's own error is the one worth reporting; a failed close is only logged.
    await close().catch(() => undefined);
    throw err;
  }
}
