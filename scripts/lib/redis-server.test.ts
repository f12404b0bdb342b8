import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findOnPath, pingRedis } from './redis-server';

describe('finding Redis for the dev runner', () => {
  it('answers true for a Redis that replies PONG and false for a closed port or a non-Redis', async () => {
    expect(await pingRedis('redis://127.0.0.1:6379')).toBe(true);
    const notRedis = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((r) => notRedis.listen(0, '127.0.0.1', r));
    const { port } = notRedis.address() as { port: number };
    expect(await pingRedis(`redis://127.0.0.1:${port}`)).toBe(false);
    notRedis.close();
    expect(await pingRedis(`redis://127.0.0.1:${port}`)).toBe(false);
  });

  it('finds an executable on PATH and nothing that is not executable', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'atrium-path-'));
    writeFileSync(path.join(dir, 'redis-server'), '#!/bin/sh\n');
    expect(findOnPath('redis-server', dir)).toBeUndefined();
    chmodSync(path.join(dir, 'redis-server'), 0o755);
    expect(findOnPath('redis-server', `/nonexistent${path.delimiter}${dir}`)).toBe(path.join(dir, 'redis-server'));
  });
});
