import { tierEnv } from '../../support/env';
import type { Records } from './records';
import type { Trace } from './workload';

/**
 * With ATRIUM_FAULT_VERBOSE=1, each scenario prints when its phases ended and what it saw,
 * e.g. to tell a fault that struck idle services from one that cut calls in flight. Off by
 * default: the tests' own messages say what failed.
 */
export class ScenarioReport {
  private readonly started = Date.now();
  private readonly lines: string[] = [];

  constructor(private readonly title: string) {}

  static get enabled(): boolean {
    return tierEnv.faultVerbose;
  }

  phase(what: string): void {
    this.lines.push(`${what} at ${((Date.now() - this.started) / 1000).toFixed(1)} s`);
  }

  outcome(records: Records, traces: readonly Trace[], resubscriptions: number, left: readonly string[]): void {
    const tally = (values: string[]) => JSON.stringify(values.reduce<Record<string, number>>((n, v) => ({ ...n, [v]: (n[v] ?? 0) + 1 }), {}));
    const answers = traces.flatMap((t) => [t.created, t.paid, t.cancelled].flatMap((o) => (o ? [o.ok ? 'ok' : o.code] : [])));
    this.lines.push(
      `bookings ${tally(records.bookings.map((b) => b.status))}`,
      `payments ${tally(records.payments.map((p) => p.status))}`,
      `the client's answers ${tally(answers)}`,
      `the feed subscribed again ${resubscriptions} time(s)`,
      `not settled: ${left.length ? left.slice(0, 10).join('; ') : 'nothing'}`,
    );
  }

  print(): void {
    if (ScenarioReport.enabled) console.log(`${this.title}\n  ${this.lines.join('\n  ')}`);
  }
}
