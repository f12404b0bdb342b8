import { subscribe, type TestSubscription } from '@atrium/kit/testing';
import { setTimeout as sleep } from 'node:timers/promises';

const BOOKING_UPDATED = `subscription { bookingUpdated { id status } }`;

/**
 * A `bookingUpdated` subscription through the gateway that behaves like a real client's:
 * when the fault ends it (the gateway died, the subgraph behind it went away), it
 * subscribes again after a second, and keeps doing so until closed. Every booking id it
 * heard of is kept, whichever subscription delivered it.
 */
export class BookingFeed {
  private readonly seen = new Set<string>();
  private current: TestSubscription | undefined;
  private closed = false;
  private readonly loop: Promise<void>;
  /** How many times it had to subscribe again. */
  resubscriptions = 0;

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {
    this.loop = this.keepSubscribed();
  }

  /** Whether an update of this booking has arrived. */
  has(bookingId: string): boolean {
    return this.seen.has(bookingId);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.current?.close();
    await this.loop;
  }

  private async keepSubscribed(): Promise<void> {
    for (let first = true; !this.closed; first = false) {
      if (!first) this.resubscriptions++;
      const subscription = subscribe(this.url, BOOKING_UPDATED, {}, { token: this.token });
      this.current = subscription;
      let read = 0;
      const drain = () => {
        for (; read < subscription.results.length; read++) {
          const id = subscription.results[read].data?.bookingUpdated?.id;
          if (typeof id === 'string') this.seen.add(id);
        }
      };
      // Polls what arrived until the subscription ends: cheap, and no callback API needed.
      let ended = false;
      void subscription.ended.then(() => (ended = true));
      while (!ended && !this.closed) {
        drain();
        await sleep(100);
      }
      drain();
      if (!this.closed) await sleep(1_000);
    }
  }
}

/**
 * Proves live delivery works again after a fault: makes a probe change (`probe` creates a
 * booking and returns its id) and waits a few seconds for its update; tries again with a
 * new probe until `deadline`, since an update made while the feed was still subscribing
 * is rightly lost (live events are at most once). Returns the probes it made and whether
 * one was delivered.
 */
export async function liveDelivery(feed: BookingFeed, probe: () => Promise<string | undefined>, deadline: number): Promise<{ delivered: boolean; probes: string[] }> {
  const probes: string[] = [];
  while (Date.now() < deadline) {
    const id = await probe();
    if (id) {
      probes.push(id);
      for (const until = Math.min(deadline, Date.now() + 5_000); Date.now() < until; await sleep(100)) {
        if (feed.has(id)) return { delivered: true, probes };
      }
    } else {
      await sleep(1_000);
    }
  }
  return { delivered: false, probes };
}
