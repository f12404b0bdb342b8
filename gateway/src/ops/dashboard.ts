import express, { Router } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Where `npm run build:dashboard` writes the page: gateway/dashboard/dist in the repository.
 * Found by walking up from `from`, because this file runs both from gateway/src (jest) and
 * compiled from dist/gateway/src, where a fixed number of `..` would be wrong in one of them.
 * The marker is the page's source index.html, which only the real gateway/dashboard has.
 */
export function dashboardDir(from: string = __dirname): string | undefined {
  for (let dir = path.resolve(from); ; ) {
    if (existsSync(path.join(dir, 'gateway', 'dashboard', 'index.html'))) return path.join(dir, 'gateway', 'dashboard', 'dist');
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

// The page loads only its own files and talks only to this origin (/graphql over HTTP and
// WebSocket: 'self' covers ws(s) on the same host); nothing may frame it.
const HEADERS = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * The live operations dashboard, mounted at `/dashboard`: the Vite build of gateway/dashboard
 * (index.html at `/dashboard` and `/dashboard/`, fingerprinted assets under `assets/`). The
 * page itself is public; everything it shows comes through /graphql with the operator's token.
 * Without a build it answers 503 saying how to make one, rather than a bare 404.
 */
export function dashboard(dir: string | undefined = dashboardDir()): Router {
  const router = Router();
  const index = dir && path.join(dir, 'index.html');
  router.use((_req, res, next) => {
    res.set(HEADERS);
    // Checked per request: a build made while the gateway runs is picked up without a restart.
    if (index && existsSync(index)) return next();
    res.status(503).type('text/plain').send('The dashboard is not built: run `npm run build:dashboard`, then reload.\n');
  });
  // Asset names carry a content hash, so they can be cached for good; index.html names the
  // current ones and is revalidated every time.
  if (dir) router.use('/assets', express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '1y', index: false }));
  router.get('/', (_req, res) => res.set('cache-control', 'no-cache').sendFile(index!));
  return router;
}
