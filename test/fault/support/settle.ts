import { setTimeout as sleep } from 'node:timers/promises';
import { allViolations } from './invariants';
import { readRecords, type Records } from './records';
import type { FaultStack } from './stack';

/**
 * Waits until the platform has settled for these bookings — none still PENDING_PAYMENT and
 * every invariant holding — or until `timeoutMs`. Never an assertion by itself: the tests
 * read the records again and say what does not hold. Returns the last violations seen.
 */
export async function settle(stack: FaultStack, ids: readonly string[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let last = ['not read yet'];
  for (;;) {
    try {
      const records = await read(stack, ids);
      const pending = records.bookings.filter((b) => b.status === 'PENDING_PAYMENT').map((b) => `booking ${b.id.slice(0, 8)} is still PENDING_PAYMENT`);
      last = [...allViolations(records, ids), ...pending];
      if (last.length === 0) return [];
    } catch (error) {
      last = [`could not read the databases: ${(error as Error).message}`];
    }
    if (Date.now() > deadline) return last;
    await sleep(1_000);
  }
}

export const read = (stack: FaultStack, ids: readonly string[]): Promise<Records> => readRecords(stack.postgres, stack.mail.messages, ids);
