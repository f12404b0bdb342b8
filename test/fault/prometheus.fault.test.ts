import { freePort, waitFor } from '@atrium/kit/testing';
import { loadSupergraphConfig } from '@atrium/kit/supergraph-config';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { renderPrometheusConfig, serviceNames } from '../../scripts/lib/prometheus';
import { dashboardExpressions } from '../../scripts/lib/prometheus-dashboard';
import { exportedMetricNames, metricNamesIn, PROMETHEUS_SERIES } from '../../scripts/lib/prometheus-metrics';
import { activeAlerts, missingBinary, PROMETHEUS_BINARY, scrapeTargets, startPrometheus, type PrometheusAlert, type PrometheusTarget, type RunningPrometheus } from '../../scripts/lib/prometheus-server';
import { tierEnv } from '../support/env';
import { REPO_ROOT } from './support/paths';
import { startFaultStack, type FaultStack } from './support/stack';

// A real Prometheus, with the committed alert rules, scraping every service of a private
// stack (each a process of its own); one subgraph is killed and its down alert must fire.

/** The subgraph this file kills: `locations`, one of its fields, needs no token. */
const VICTIM = 'catalog';
/** Every `for:` of the rules, shortened so an alert fires within seconds of its condition. */
const SHORT_FOR = '2s';
/** Only a hang exceeds these (a 2-core machine shared with other work). */
const STACK_BUDGET_MS = 300_000;
const WAIT_BUDGET_MS = 120_000;

const subgraphs = loadSupergraphConfig(path.join(REPO_ROOT, 'supergraph.yaml'));
const alertsFile = path.join(REPO_ROOT, 'deploy', 'prometheus', 'alerts.yml');

/** alerts.yml as committed, but every rule's `for:` shortened to {@link SHORT_FOR}. */
function rulesWithShortFor(): string {
  const rules = parse(readFileSync(alertsFile, 'utf8')) as { groups: { rules: { for?: string }[] }[] };
  for (const group of rules.groups) for (const rule of group.rules) if (rule.for !== undefined) rule.for = SHORT_FOR;
  return stringify(rules, { lineWidth: 0 });
}

/** Reads until what it reads `holds`; on time-out the error says what was read last. */
async function until<T>(what: string, read: () => Promise<T>, holds: (seen: T) => boolean): Promise<T> {
  let last: T | undefined;
  try {
    return await waitFor(
      async () => {
        last = await read();
        return holds(last) ? last : undefined;
      },
      { timeoutMs: WAIT_BUDGET_MS, intervalMs: 500, what },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\nlast seen: ${JSON.stringify(last, null, 2)}${crashReport()}`);
  }
}

let running: FaultStack | undefined;
/** Services that exited without being killed by this file, with the end of their logs. */
function crashReport(): string {
  const crashes = running?.services.crashes ?? [];
  return crashes.map((crash) => `\n${crash}\n--- ${crash.split(' ')[0]}.log ---\n${running!.services.tail(crash.split(' ')[0])}`).join('');
}

const health = (targets: PrometheusTarget[]) => Object.fromEntries(targets.map((t) => [t.labels.job, t.health]));
const firing = (alerts: PrometheusAlert[], name: string) => alerts.filter((a) => a.labels.alertname === name && a.state === 'firing');

describe('Prometheus scraping every service of a running platform', () => {
  let stack: FaultStack | undefined;
  let prometheus: RunningPrometheus | undefined;
  let folder: string | undefined;

  beforeAll(async () => {
    // Fail at once, before starting anything, when there is no Prometheus to run.
    const missing = missingBinary(PROMETHEUS_BINARY);
    if (missing) throw new Error(missing);
    stack = running = await startFaultStack();
    folder = mkdtempSync(path.join(os.tmpdir(), 'atrium-prometheus-'));
    const rulesFile = path.join(folder, 'alerts.yml');
    writeFileSync(rulesFile, rulesWithShortFor());
    const services = stack.services;
    const configFile = path.join(folder, 'prometheus.yml');
    writeFileSync(
      configFile,
      renderPrometheusConfig(subgraphs, {
        targets: Object.fromEntries(services.names.map((name) => [name, `127.0.0.1:${services.port(name)}`])),
        scrapeInterval: '1s',
        evaluationInterval: '1s',
        ruleFiles: [rulesFile],
        comment: 'The fault tier\'s own: this stack\'s ports, alerts with a short `for:`.',
      }),
    );
    prometheus = await startPrometheus({ configFile, dataDir: path.join(folder, 'data'), port: await freePort() });
  }, STACK_BUDGET_MS);

  afterAll(async () => {
    await prometheus?.stop();
    await stack?.close();
    if (folder && !tierEnv.faultKeep) rmSync(folder, { recursive: true, force: true });
  }, STACK_BUDGET_MS);

  it('finds every metric the alert rules and the Grafana dashboard name on the services’ /metrics', async () => {
    const services = stack!.services;
    const exported = new Set(PROMETHEUS_SERIES);
    for (const name of services.names) {
      const response = await fetch(`http://127.0.0.1:${services.port(name)}/metrics`);
      expect(response.status).toBe(200);
      for (const metric of exportedMetricNames(await response.text())) exported.add(metric);
    }
    const rules = (parse(readFileSync(alertsFile, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules);
    const dashboard = JSON.parse(readFileSync(path.join(REPO_ROOT, 'deploy', 'grafana', 'atrium.json'), 'utf8')) as unknown;
    const unknown = [
      ...rules.flatMap((rule) => metricNamesIn(rule.expr).filter((m) => !exported.has(m)).map((m) => `${m} (alert ${rule.alert})`)),
      ...dashboardExpressions(dashboard).flatMap((expr) => metricNamesIn(expr).filter((m) => !exported.has(m)).map((m) => `${m} (dashboard: ${expr})`)),
    ];
    expect(unknown).toEqual([]);
  });

  it('scrapes the gateway and every subgraph of supergraph.yaml, each up', async () => {
    const targets = await until('every target up', () => scrapeTargets(prometheus!), (seen) => seen.length > 0 && seen.every((t) => t.health === 'up'));
    expect(targets.map((t) => t.labels.job).sort()).toEqual(serviceNames(subgraphs).sort());
  });

  it(`fires AtriumServiceDown for ${VICTIM} once its process is killed, and for no other service`, async () => {
    const alerts = await activeAlerts(prometheus!);
    expect(firing(alerts, 'AtriumServiceDown')).toEqual([]);

    await stack!.services.kill(VICTIM);

    const after = await until(`AtriumServiceDown firing for ${VICTIM}`, () => activeAlerts(prometheus!), (seen) =>
      firing(seen, 'AtriumServiceDown').some((a) => a.labels.job === VICTIM),
    );
    const down = firing(after, 'AtriumServiceDown');
    expect(down.map((a) => a.labels.job)).toEqual([VICTIM]);
    expect(down[0].labels).toMatchObject({ severity: 'critical', tier: 'subgraph', instance: `127.0.0.1:${stack!.services.port(VICTIM)}` });
    expect(down[0].annotations.summary).toBe(`${VICTIM} is down (127.0.0.1:${stack!.services.port(VICTIM)})`);
    expect(health(await scrapeTargets(prometheus!))).toMatchObject({ [VICTIM]: 'down', gateway: 'up' });
  });

  it(`opens the gateway's circuit breaker for ${VICTIM} as clients keep asking for its fields, and fires AtriumSubgraphCircuitOpen`, async () => {
    // Each read asks the gateway for a field of the dead subgraph once more, as clients would.
    const ask = async () => {
      const response = await fetch(stack!.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ locations { id } }' }) });
      return (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    };
    const alerts = await until(`AtriumSubgraphCircuitOpen firing for ${VICTIM}`, async () => (await ask(), activeAlerts(prometheus!)), (seen) =>
      firing(seen, 'AtriumSubgraphCircuitOpen').some((a) => a.labels.subgraph === VICTIM),
    );
    expect(firing(alerts, 'AtriumSubgraphCircuitOpen').map((a) => a.labels.subgraph)).toEqual([VICTIM]);
    expect((await ask()).errors?.[0]?.extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
    expect(stack!.services.crashes).toEqual([]);
  });

  it(`fires AtriumDependencyDown for the gateway's dependency on ${VICTIM}`, async () => {
    const alerts = await until(`AtriumDependencyDown firing for gateway → ${VICTIM}`, () => activeAlerts(prometheus!), (seen) =>
      firing(seen, 'AtriumDependencyDown').some((a) => a.labels.service === 'gateway' && a.labels.dependency === VICTIM),
    );
    expect(firing(alerts, 'AtriumDependencyDown').filter((a) => a.labels.service === 'gateway').map((a) => a.labels.dependency)).toEqual([VICTIM]);
    expect(stack!.services.crashes).toEqual([]);
  });
});
