/** A V8 `.cpuprofile` (what `node --cpu-prof` writes), reduced to what the summary needs. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  /** When sampling started, µs of the monotonic clock (`process.hrtime`'s, on Linux). */
  startTime?: number;
}

/** The samples to summarize: those taken between `from` and `to` (µs of the profile's clock). */
export interface ProfileWindow {
  from: number;
  to: number;
}

/** Where a script lives, as a short name: the npm package (`@apollo/gateway`), `atrium:<folder>`, or `node:`. */
export function packageOf(url: string): string {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node:';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return `atrium:${url.slice(dist + '/dist/'.length).split('/').slice(0, 2).join('/')}`;
  return url;
}

/**
 * Self time per package and the top functions, then the top functions by inclusive time,
 * as text: the first look at a profile. Self time: the samples in which the function itself
 * was running (not its callees). Inclusive time: the samples in which it was on the stack —
 * itself or anything it called, each function counted once per sample (what a request path
 * costs, where self time spreads it over the callees).
 */
export function summarizeProfile(profile: CpuProfile, top = 25, window?: ProfileWindow): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const self = new Map<number, number>();
  let at = profile.startTime ?? 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.from || at > window.to)) return;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  /** A function as the summary names it; with its file's name too (inclusive lists hold many of one package). */
  const nameOf = (id: number, withFile = false) => {
    const { callFrame } = byId.get(id)!;
    const file = withFile && callFrame.url.includes('/') ? `/${callFrame.url.slice(callFrame.url.lastIndexOf('/') + 1)}` : '';
    return `${callFrame.functionName || '(anonymous)'}  ${packageOf(callFrame.url)}${file}:${callFrame.lineNumber + 1}`;
  };
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, micros] of self) {
    const pkg = packageOf(byId.get(id)!.callFrame.url);
    packages.set(pkg, (packages.get(pkg) ?? 0) + micros);
    functions.set(nameOf(id), (functions.get(nameOf(id)) ?? 0) + micros);
    const onStack = new Set<string>();
    for (let frame: number | undefined = id; frame !== undefined; frame = parentOf.get(frame)) onStack.add(nameOf(frame, true));
    for (const name of onStack) inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
  }
  const pct = (micros: number) => `${((100 * micros) / total).toFixed(1).padStart(5)}%`;
  const sorted = (m: Map<string, number>, n = top) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
  return [
    `self time by package (${(total / 1e6).toFixed(1)} s sampled${window ? ', during the load only' : ''}):`,
    ...sorted(packages).map(([name, micros]) => `  ${pct(micros)}  ${name}`),
    'top functions by self time:',
    ...sorted(functions).map(([name, micros]) => `  ${pct(micros)}  ${name}`),
    'top functions by inclusive time (on the stack: itself and its callees):',
    ...sorted(inclusive, top * 3)
      .filter(([name]) => !name.startsWith('(root)'))
      .map(([name, micros]) => `  ${pct(micros)}  ${name}`),
  ].join('\n');
}
