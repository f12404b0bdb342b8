/**
 * Runs a private redis-server for the dev runner when no Redis answers at REDIS_URL.
 * Like postgres-host.ts, it is a process of its own so that the server stops when the
 * runner goes away — even by SIGKILL, when this process sees its IPC channel close —
 * instead of living on as an orphan. Nothing is kept on disk: the files it may write
 * go to ATRIUM_REDIS_DIR (in the data folder).
 *
 * Configuration: ATRIUM_REDIS_BIN (the redis-server binary), ATRIUM_REDIS_PORT, ATRIUM_REDIS_DIR.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { loadRedisHostEnv } from './tool-env';

const { bin, port, dir } = loadRedisHostEnv();
mkdirSync(dir, { recursive: true });

const server = spawn(bin, ['--port', port, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
const stop = () => {
  if (server.exitCode === null) server.kill('SIGTERM');
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
server.on('error', (err) => {
  process.stderr.write(`could not start ${bin}: ${err.message}\n`);
  process.exit(1);
});
server.on('exit', (code, signal) => process.exit(signal ? 0 : (code ?? 0)));
