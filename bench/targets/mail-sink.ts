/**
 * An SMTP server that accepts and forgets every message: what notification sends its
 * e-mail to during `npm run bench` (welcome, booking confirmed, payment received…), so
 * deliveries succeed at once instead of retrying against nothing. A process of its own,
 * so the load generator does not spend time on mail. `PORT` picks the port.
 */
import { startCaptureServer } from '../../scripts/lib/mail-catcher';
import { loadTargetEnv } from '../args';

async function main(): Promise<void> {
  const { port = 0 } = loadTargetEnv();
  const server = await startCaptureServer({ port, host: '127.0.0.1' });
  // Keep nothing: the benchmark sends thousands of messages.
  setInterval(() => server.messages.splice(0), 1_000).unref();
  process.stdout.write(`mail sink listening on smtp://127.0.0.1:${server.port}\n`);
  const stop = () => void server.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`mail sink failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
