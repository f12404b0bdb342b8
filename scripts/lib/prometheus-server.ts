import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createInterface } from 'node:readline';
import { waitUntilReady } from './readiness';
import { describeExit, type ExitInfo } from './service-process';

/** Debian's `prometheus` package (2.42 here); `promtool` comes with it. */
export const PROMETHEUS_BINARY = '/usr/bin/prometheus';
export const PROMTOOL_BINARY = '/usr/bin/promtool';

/** Why a Prometheus binary cannot be used, and how to get one; undefined when it can. */
export function missingBinary(binary: string): string | undefined {
  try {
    accessSync(binary, constants.X_OK);
    return undefined;
  } catch {
    return `${binary} is not installed: \`apt-get install -y prometheus\` brings prometheus and promtool (CI's .ci/run installs it)`;
  }
}

/** Options of {@link startPrometheus}. */
export interface PrometheusOptions {
  configFile: string;
  /** The TSDB folder (`--storage.tsdb.path`): one of the caller's own, never the system service's. */
  dataDir: string;
  port: number;
  /** Default {@link PROMETHEUS_BINARY}. */
  binary?: string;
  /** How long start-up may take before it counts as failed. Default 60 s. */
  readyTimeoutMs?: number;
}

/** A Prometheus server this process started. */
export interface RunningPrometheus {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  pid: number;
  exited: Promise<ExitInfo>;
  /** Its last output lines, for error messages. */
  output(): string;
  /** SIGTERM to its PID, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<ExitInfo>;
}

/** One scrape target as `/api/v1/targets` reports it. */
export interface PrometheusTarget {
  labels: Record<string, string>;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

/** One alert as `/api/v1/alerts` reports it. */
export interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
}

/**
 * Starts `prometheus` on 127.0.0.1:`port` with the given config and data folder, and waits
 * until it answers `/-/ready`. Rejects with its output when it exits or never gets ready.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const binary = options.binary ?? PROMETHEUS_BINARY;
  const missing = missingBinary(binary);
  if (missing) throw new Error(missing);
  const child = spawn(
    binary,
    [
      `--config.file=${options.configFile}`,
      `--storage.tsdb.path=${options.dataDir}`,
      `--web.listen-address=127.0.0.1:${options.port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      lines.push(line);
      if (lines.length > 60) lines.shift();
    });
  }
  let exitInfo: ExitInfo | undefined;
  // Should this process end without stopping it (jest interrupted), it goes too.
  const killNow = () => child.kill('SIGKILL');
  process.once('exit', killNow);
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      process.removeListener('exit', killNow);
      resolve((exitInfo = { code, signal }));
    });
    child.once('error', (error) => {
      if (child.pid === undefined) resolve((exitInfo = { code: null, signal: null, error }));
    });
  });
  const url = `http://127.0.0.1:${options.port}`;
  const output = () => lines.join('\n');
  const signal = (name: NodeJS.Signals) => {
    if (exitInfo || child.pid === undefined) return;
    try {
      process.kill(child.pid, name);
    } catch {
      // Gone between the check and the kill.
    }
  };
  const stop = async (graceMs = 10_000): Promise<ExitInfo> => {
    signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    const first = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (first !== 'late') return first;
    signal('SIGKILL');
    return exited;
  };
  try {
    await waitUntilReady({ name: 'prometheus', url: `${url}/-/ready`, timeoutMs: options.readyTimeoutMs ?? 60_000, exited });
  } catch (error) {
    await stop(2_000);
    throw new Error(`${(error as Error).message}\n--- prometheus output ---\n${output()}`);
  }
  if (child.pid === undefined) throw new Error(`prometheus ${exitInfo ? describeExit(exitInfo) : 'has no PID'}`);
  return { url, pid: child.pid, exited, output, stop };
}

async function api<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${url}: ${body.error ?? response.status}`);
  return body.data;
}

/** The active scrape targets (`/api/v1/targets`). */
export async function scrapeTargets(prometheus: Pick<RunningPrometheus, 'url'>): Promise<PrometheusTarget[]> {
  return (await api<{ activeTargets: PrometheusTarget[] }>(`${prometheus.url}/api/v1/targets?state=active`)).activeTargets;
}

/** Alerts pending or firing (`/api/v1/alerts`). */
export async function activeAlerts(prometheus: Pick<RunningPrometheus, 'url'>): Promise<PrometheusAlert[]> {
  return (await api<{ alerts: PrometheusAlert[] }>(`${prometheus.url}/api/v1/alerts`)).alerts;
}
