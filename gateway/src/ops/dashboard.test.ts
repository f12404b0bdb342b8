import express from 'express';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dashboard, dashboardDir } from './dashboard';

const repo = path.resolve(__dirname, '..', '..', '..');
let build: string;

/** `app.use('/dashboard', dashboard(dir))` as ops/endpoints.ts mounts it, on port 0. */
async function serve(dir: string | undefined) {
  const app = express();
  app.use('/dashboard', dashboard(dir));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { get: (p: string) => fetch(base + p), close: () => new Promise((resolve) => server.close(resolve)) };
}

beforeAll(() => {
  build = mkdtempSync(path.join(tmpdir(), 'dashboard-'));
  mkdirSync(path.join(build, 'assets'));
  writeFileSync(path.join(build, 'index.html'), '<!doctype html><title>Atrium operations</title>');
  writeFileSync(path.join(build, 'assets', 'index-abc123.js'), 'console.log(1)');
});
afterAll(() => rmSync(build, { recursive: true, force: true }));

describe('dashboard', () => {
  it('serves index.html at /dashboard and /dashboard/, revalidated, under a strict CSP', async () => {
    const http = await serve(build);
    try {
      for (const url of ['/dashboard', '/dashboard/']) {
        const res = await http.get(url);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/text\/html/);
        expect(res.headers.get('cache-control')).toBe('no-cache');
        expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
        expect(await res.text()).toContain('Atrium operations');
      }
      const asset = await http.get('/dashboard/assets/index-abc123.js');
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toMatch(/immutable/);
      expect((await http.get('/dashboard/assets/missing.js')).status).toBe(404);
    } finally {
      await http.close();
    }
  });

  it('answers 503 saying how to build it when there is no build', async () => {
    const http = await serve(path.join(build, 'nothing-here'));
    try {
      for (const url of ['/dashboard', '/dashboard/assets/index-abc123.js']) {
        const res = await http.get(url);
        expect(res.status).toBe(503);
        expect(await res.text()).toContain('npm run build:dashboard');
      }
    } finally {
      await http.close();
    }
  });

  it('finds gateway/dashboard/dist from the sources and from the compiled output', () => {
    const dist = path.join(repo, 'gateway', 'dashboard', 'dist');
    expect(dashboardDir(__dirname)).toBe(dist);
    expect(dashboardDir(path.join(repo, 'dist', 'gateway', 'src'))).toBe(dist);
    expect(dashboardDir(tmpdir())).toBeUndefined();
  });
});
