/**
 * Preloaded into every service the dev runner starts (`node --require
 * dist/scripts/lib/parent-watch.js <main>`): makes the service stop when the runner dies,
 * even by SIGKILL, which no signal handler of the runner can catch. Services need no code
 * for it and behave exactly the same when started any other way (no IPC channel: this
 * file does nothing).
 *
 * The runner spawns services with an IPC channel; the kernel closes it when the runner
 * dies, which Node reports as 'disconnect'. The service then gets a SIGTERM, so its own
 * graceful shutdown runs, and is forced out if that takes longer than the runner's own
 * grace period.
 */

// Matches ServiceProcess.stop's grace period.
const FORCED_EXIT_AFTER_MS = 10_000;

const channel = process.channel;
if (channel) {
  // The channel must not keep a finished service alive.
  channel.unref();
  process.once('disconnect', () => {
    setTimeout(() => process.exit(1), FORCED_EXIT_AFTER_MS).unref();
    process.kill(process.pid, 'SIGTERM');
  });
}

// A module (not a global script), so its names stay private.
export {};
