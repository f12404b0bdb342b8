import { setTimeout as sleep } from 'node:timers/promises';
import { castOf } from './cast';
import { chargesMatchStatuses, confirmationMails, doubleCharges, reportingMismatches, unsettled } from './invariants';
import { BookingFeed, liveDelivery } from './live';
import { read, settle } from './settle';
import { startFaultStack, type FaultStack } from './stack';
import { Slots, Workload } from './workload';

/** Budget of the hook that runs a whole scenario: only a hang should reach it. */
const SCENARIO_BUDGET_MS = 420_000;
/** Strike once this many bookings exist: a quarter into the workload, with calls in flight. */
const STRIKE_AFTER = 8;
/** How long the platform may take to settle after the fault: generous, since a busy machine is slow. */
const SETTLE_TIMEOUT_MS = 90_000;
/** How long live delivery may take to come back. */
const LIVE_TIMEOUT_MS = 60_000;

/** How long a killed thing stays down before it is started again, as an orchestrator would. */
export const outage = () => sleep(2_000);

/**
 * One fault, judged end to end: a private stack of separate processes, a booking workload
 * through the gateway, `strike` (kill something, wait out the outage, start it again — never
 * anything else by hand) once the workload is under way, then, once it has settled, the
 * invariants read from the databases and the SMTP sink, and live delivery through the gateway.
 */
export function describeFault(title: string, strike: (stack: FaultStack) => Promise<void>): void {
  describe(title, () => {
    let stack: FaultStack | undefined;
    let feed: BookingFeed | undefined;
    let workload: Workload | undefined;
    let ids: string[] = [];
    let delivered = false;

    beforeAll(async () => {
      const t0 = Date.now(); const mark = (what: string) => process.env.ATRIUM_FAULT_VERBOSE === '1' && console.log(`${what} at ${Date.now() - t0} ms`);
      stack = await startFaultStack();
      mark('stack');
      const cast = await castOf(stack.url, stack.postgres.url('atrium_booking'));
      mark('cast');
      workload = new Workload(stack.url, cast, new Slots(cast.workspaceIds));
      // The manager sees every booking's updates: one feed watches the whole workload.
      feed = new BookingFeed(stack.url, cast.manager.accessToken);
      const before = await liveDelivery(feed, () => workload!.probe(Date.now() + 15_000), Date.now() + LIVE_TIMEOUT_MS);
      if (!before.delivered) throw new Error('bookingUpdated delivered nothing even before the fault: the stack is not working');

      mark('before probe');
      const running = workload.run();
      await Promise.race([workload.whenCreated(STRIKE_AFTER), running]);
      mark('strike');
      await strike(stack);
      mark('restarted');
      await running;
      mark('workload');

      const after = await liveDelivery(feed, () => workload!.probe(Date.now() + 15_000), Date.now() + LIVE_TIMEOUT_MS);
      delivered = after.delivered;
      ids = [...before.probes, ...workload.bookingIds(), ...after.probes];
      mark('after probe');
      const settledAt = Date.now();
      const left = await settle(stack, ids, SETTLE_TIMEOUT_MS);
      if (process.env.ATRIUM_FAULT_VERBOSE === '1') {
        const records = await read(stack, ids);
        const count = (values: string[]) => Object.entries(values.reduce<Record<string, number>>((n, v) => ({ ...n, [v]: (n[v] ?? 0) + 1 }), {}));
        console.log(
          `${title}\n  bookings: ${JSON.stringify(count(records.bookings.map((b) => b.status)))}` +
            `\n  payments: ${JSON.stringify(count(records.payments.map((p) => p.status)))}` +
            `\n  client saw: ${JSON.stringify(count(workload.traces.flatMap((t) => [t.created, t.paid, t.cancelled].flatMap((o) => (o ? [o.ok ? 'ok' : o.code] : [])))))}` +
            `\n  feed resubscribed ${feed.resubscriptions}x; settled in ${Math.round((Date.now() - settledAt) / 1000)} s; left: ${JSON.stringify(left.slice(0, 10))}`,
        );
      }
    }, SCENARIO_BUDGET_MS);

    afterAll(async () => {
      await feed?.close();
      await stack?.close();
    }, 120_000);

    it('answers every booking, payment and cancellation of the workload in the end', () => {
      const unanswered = workload!.traces.flatMap((t) =>
        (['created', 'paid', 'cancelled'] as const).flatMap((step) => (t[step]?.ok === false && t[step].code === 'GAVE_UP' ? [`${t.journey} ${step}: ${t[step].message}`] : [])),
      );
      expect(unanswered).toEqual([]);
    });

    it('leaves no booking PENDING_PAYMENT past its hold and no payment PROCESSING', async () => {
      expect(unsettled(await read(stack!, ids), ids)).toEqual([]);
    });

    it('charges no booking twice', async () => {
      expect(doubleCharges(await read(stack!, ids))).toEqual([]);
    });

    it('confirms every paid booking and refunds every charge of a booking that is not on', async () => {
      expect(chargesMatchStatuses(await read(stack!, ids))).toEqual([]);
    });

    it('sends exactly one confirmation e-mail per confirmed booking', async () => {
      expect(confirmationMails(await read(stack!, ids))).toEqual([]);
    });

    it('records in reporting every booking once, with the status booking holds', async () => {
      expect(reportingMismatches(await read(stack!, ids))).toEqual([]);
    });

    it('delivers bookingUpdated through the gateway again', () => {
      expect(delivered).toBe(true);
    });

    it('keeps every service it did not kill running', () => {
      expect(stack!.services.crashes).toEqual([]);
    });
  });
}
