import { setTimeout as sleep } from 'node:timers/promises';
import { castOf, type Cast } from './cast';
import { chargesMatchStatuses, confirmationMails, doubleCharges, reportingMismatches, unsettled } from './invariants';
import { BookingFeed, liveDelivery } from './live';
import { ScenarioReport } from './report';
import { read, settle } from './settle';
import { startFaultStack, type FaultStack } from './stack';
import { Slots, Workload } from './workload';

/** Budget of a hook that starts a stack or runs a scenario: only a hang should reach it. */
const HOOK_BUDGET_MS = 300_000;
/** Strike once this many bookings exist: a quarter into the workload, with calls in flight. */
const STRIKE_AFTER = 8;
/** How long the platform may take to settle after the fault (about 10 s when it heals). */
const SETTLE_TIMEOUT_MS = 60_000;
/** How long live delivery may take to come back. */
const LIVE_TIMEOUT_MS = 60_000;

/** How long a killed thing stays down before it is started again, as an orchestrator would. */
export const outage = () => sleep(2_000);

/** A started stack with its people and its slots, shared by the scenarios of one file. */
export interface Scene {
  stack: FaultStack;
  cast: Cast;
  slots: Slots;
}

/**
 * Starts a private stack for the scenarios of this file (in its `beforeAll`) and closes it
 * after them (in its `afterAll`, failures included). Scenarios that share a stack judge
 * only their own bookings, so one that leaves something broken shows in its own results.
 */
export function privateStack(): () => Scene {
  let scene: Scene | undefined;
  let stack: FaultStack | undefined;
  beforeAll(async () => {
    stack = await startFaultStack();
    const cast = await castOf(stack.url, stack.postgres.url('atrium_booking'));
    scene = { stack, cast, slots: new Slots(cast.workspaceIds) };
  }, HOOK_BUDGET_MS);
  afterAll(() => stack?.close(), 120_000);
  return () => {
    if (!scene) throw new Error('the private stack did not start (see the error of its beforeAll)');
    return scene;
  };
}

/**
 * One fault, judged end to end: a booking workload through the gateway, `strike` (kill
 * something, wait out the outage, start it again — never anything else by hand) once the
 * workload is under way, then, once the platform has settled, the invariants read from the
 * databases and the SMTP sink, and live delivery through the gateway.
 */
export function describeFault(title: string, scene: () => Scene, strike: (stack: FaultStack) => Promise<void>): void {
  describe(title, () => {
    let stack: FaultStack;
    let feed: BookingFeed | undefined;
    let workload: Workload;
    let ids: string[] = [];
    let delivered = false;
    let crashes: string[] = [];

    beforeAll(async () => {
      const report = new ScenarioReport(title);
      const { cast, slots } = scene();
      stack = scene().stack;
      const crashesBefore = stack.services.crashes.length;
      workload = new Workload(stack.url, cast, slots);
      const probe = () => workload.probe(Date.now() + 15_000);
      // The manager sees every booking's updates: one feed watches the whole workload.
      feed = new BookingFeed(stack.url, cast.manager.accessToken);
      const before = await liveDelivery(feed, probe, Date.now() + LIVE_TIMEOUT_MS);
      if (!before.delivered) throw new Error('bookingUpdated delivered nothing even before the fault: the stack is not working');
      report.phase('live before the fault');

      const running = workload.run();
      await Promise.race([workload.whenCreated(STRIKE_AFTER), running]);
      report.phase('struck');
      await strike(stack);
      report.phase('started again');
      await running;
      report.phase('workload done');

      const after = await liveDelivery(feed, probe, Date.now() + LIVE_TIMEOUT_MS);
      delivered = after.delivered;
      report.phase('live after the fault');
      ids = [...before.probes, ...workload.bookingIds(), ...after.probes];
      const left = await settle(stack, ids, SETTLE_TIMEOUT_MS);
      report.phase('settled');
      crashes = stack.services.crashes.slice(crashesBefore);
      if (ScenarioReport.enabled) report.outcome(await read(stack, ids), workload.traces, feed.resubscriptions, left);
      report.print();
    }, HOOK_BUDGET_MS);

    afterAll(() => feed?.close(), 30_000);

    it('answers every booking, payment and cancellation of the workload in the end', () => {
      const unanswered = workload.traces.flatMap((t) =>
        (['created', 'paid', 'cancelled'] as const).flatMap((step) => {
          const outcome = t[step];
          return outcome?.ok === false && outcome.code === 'GAVE_UP' ? [`${t.journey}: ${step} never answered (${outcome.message})`] : [];
        }),
      );
      expect(unanswered).toEqual([]);
    });

    it('leaves no booking PENDING_PAYMENT past its hold and no payment PROCESSING', async () => {
      expect(unsettled(await read(stack, ids), ids)).toEqual([]);
    });

    it('charges no booking twice', async () => {
      expect(doubleCharges(await read(stack, ids))).toEqual([]);
    });

    it('confirms every paid booking and refunds every charge of a booking that is not on', async () => {
      expect(chargesMatchStatuses(await read(stack, ids))).toEqual([]);
    });

    it('sends exactly one confirmation e-mail per confirmed booking', async () => {
      expect(confirmationMails(await read(stack, ids))).toEqual([]);
    });

    it('records in reporting every booking once, with the status booking holds', async () => {
      expect(reportingMismatches(await read(stack, ids))).toEqual([]);
    });

    it('delivers bookingUpdated through the gateway again', () => {
      expect(delivered).toBe(true);
    });

    it('keeps every service it did not kill running', () => {
      expect(crashes).toEqual([]);
    });
  });
}
