import { freePort } from '@atrium/kit/testing';
import { loadSupergraphConfig } from '@atrium/kit/supergraph-config';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCaptureServer, type CaptureServer } from '../../../scripts/lib/mail-catcher';
import { tierEnv } from '../../support/env';
import { planStack } from './environment';
import { REPO_ROOT } from './paths';
import { PrivatePostgres } from './postgres';
import { PrivateRedis } from './redis';
import { Services } from './services';

/** Everything a fault scenario runs against, all of it private to this test file. */
export interface FaultStack {
  folder: string;
  postgres: PrivatePostgres;
  redis: PrivateRedis;
  /** The SMTP sink notification sends to. */
  mail: CaptureServer;
  services: Services;
  /** The gateway's GraphQL endpoint. */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts a private PostgreSQL and Redis, an SMTP sink, every subgraph of supergraph.yaml
 * and the gateway as separate processes on free ports. Whatever fails half-way, what was
 * started is stopped again; `close()` stops everything and deletes the folder (set
 * ATRIUM_FAULT_KEEP=1 to keep it, with every service's log, for a post-mortem).
 */
export async function startFaultStack(): Promise<FaultStack> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'atrium-fault-'));
  // PostgreSQL runs as the `postgres` user when we are root: it must reach its folder.
  chmodSync(folder, 0o755);
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
    closers.length = 0;
    if (!tierEnv.faultKeep) rmSync(folder, { recursive: true, force: true });
  };
  try {
    const subgraphs = loadSupergraphConfig(path.join(REPO_ROOT, 'supergraph.yaml'));
    const names = [...subgraphs.map((s) => s.name), 'gateway'];
    const ports: Record<string, number> = {};
    for (const name of names) ports[name] = await freePort();

    const postgres = await PrivatePostgres.start(folder, await freePort());
    closers.push(() => postgres.stop());
    const redis = await PrivateRedis.start(folder, await freePort());
    closers.push(() => redis.stop());
    // The services stop by themselves when this process dies (their IPC channel closes);
    // the servers would not, should jest exit without running afterAll (Ctrl-C).
    const killServers = () => {
      postgres.killNow();
      redis.killNow();
    };
    process.once('exit', killServers);
    closers.push(async () => void process.removeListener('exit', killServers));
    const mail = await startCaptureServer({ port: 0, host: '127.0.0.1' });
    closers.push(() => mail.close());

    const services = new Services(
      planStack({ subgraphs, ports, postgresUrl: postgres.url(), redisUrl: redis.url, smtpUrl: `smtp://127.0.0.1:${mail.port}` }),
      folder,
    );
    closers.push(() => services.stopAll());
    await services.startAll();
    return { folder, postgres, redis, mail, services, url: services.gatewayUrl, close };
  } catch (error) {
    await close();
    throw error;
  }
}
