import { hasScope, Scope, type Caller } from '@atrium/kit';
import express, { Router, type Request, type Response } from 'express';
import { GraphQLError } from 'graphql';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TrafficHistory } from './dashboard-traffic';

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

/** What the page reads besides /graphql: this gateway's own traffic, for operators. */
export interface DashboardApi {
  traffic: TrafficHistory;
  /** The caller behind a request (the gateway's authentication); throws UNAUTHENTICATED for a bad token. */
  identify(req: Request, res: Response): Promise<Caller | null>;
}

/** An error as /graphql words it, so the page shows both the same way. */
const refuse = (res: Response, status: number, code: string, message: string) =>
  void res.status(status).json({ errors: [{ message, extensions: { code } }] });

/**
 * `GET /dashboard/api/traffic`: this gateway's requests per second and error ratio over the
 * last hour (see dashboard-traffic.ts), for the same callers as `systemHealth` (system:admin).
 * Not a GraphQL field because it belongs to no subgraph: it is this process's own counters.
 */
function trafficRoute(api: DashboardApi) {
  return async (req: Request, res: Response) => {
    res.set('cache-control', 'no-store');
    let caller: Caller | null;
    try {
      caller = await api.identify(req, res);
    } catch (err) {
      const code = err instanceof GraphQLError && typeof err.extensions.code === 'string' ? err.extensions.code : 'UNAUTHENTICATED';
      return refuse(res, code === 'RATE_LIMITED' ? 429 : 401, code, (err as Error).message);
    }
    if (!caller) return refuse(res, 401, 'UNAUTHENTICATED', 'Authentication required: send the bearer token');
    if (!hasScope(caller, Scope.SYSTEM_ADMIN)) return refuse(res, 403, 'FORBIDDEN', 'Not authorized to read the gateway traffic: requires scope system:admin');
    res.json(await api.traffic.report());
  };
}

/**
 * The live operations dashboard, mounted at `/dashboard`: the Vite build of gateway/dashboard
 * (index.html at `/dashboard` and `/dashboard/`, fingerprinted assets under `assets/`). The
 * page itself is public; everything it shows comes through /graphql with the operator's token,
 * except this gateway's traffic history (`api/traffic`, with the same token, when `api` is given).
 * Without a build it answers 503 saying how to make one, rather than a bare 404.
 */
export function dashboard(dir: string | undefined = dashboardDir(), api?: DashboardApi): Router {
  const router = Router();
  if (api) router.get('/api/traffic', (req, res, next) => void trafficRoute(api)(req, res).catch(next));
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
