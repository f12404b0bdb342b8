import { ConfigError } from './config';

export interface Closeable {
  close(): Promise<void>;
}

/**
 * The body of every service's `main.ts`: starts the service, and closes it once on
 * SIGTERM, SIGINT, or when the dev runner that forked it goes away (its IPC channel
 * disconnects — so a SIGKILLed runner leaves no orphans). Start-up failures print one
 * clear line and exit non-zero; configuration errors name every bad variable.
 */
export function runService(name: string, start: () => Promise<Closeable>): void {
  let service: Closeable | undefined;
  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${name}: stopping (${reason})\n`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await service?.close();
      process.exit(0);
    } catch (err) {
      process.stderr.write(`${name}: error while stopping: ${String(err)}\n`);
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  if (process.connected) process.once('disconnect', () => void stop('parent process exited'));

  start().then(
    (started) => {
      service = started;
      if (stopping) void started.close().then(() => process.exit(0));
    },
    (err: unknown) => {
      const message = err instanceof ConfigError ? err.message : err instanceof Error ? err.stack ?? err.message : String(err);
      process.stderr.write(`${name}: failed to start: ${message}\n`);
      process.exit(1);
    },
  );
}
