/**
 * What one subscriber has not received yet. The shared upstream stream pushes into it and
 * never waits; graphql-ws pulls from it as fast as the client's socket takes the messages.
 * When a client falls `limit` results behind, the queue overflows and the subscriber is
 * dropped, so one slow client never stalls the stream or the other subscribers.
 */
export class SubscriberQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void) | undefined;
  private ended = false;
  private closed = false;

  constructor(
    private readonly limit: number,
    /** Called once when the consumer stops (graphql-ws `return()`, i.e. complete or disconnect) or the queue is ended. */
    private readonly onClose: () => void,
  ) {}

  /** Queues a value; false (and nothing queued) when the queue is full or ended. */
  push(value: T): boolean {
    if (this.ended) return false;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value, done: false });
      return true;
    }
    if (this.items.length >= this.limit) return false;
    this.items.push(value);
    return true;
  }

  /** Delivers `last` (if any) after what is queued — or instead of it, with `discardQueued` — then ends. */
  end(last?: T, discardQueued = false): void {
    if (this.ended) return;
    if (discardQueued) this.items.length = 0;
    if (last !== undefined) this.items.push(last);
    this.ended = true;
    // A consumer already waiting gets the next item, or the end.
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve?.(this.items.length > 0 ? { value: this.items.shift()!, done: false } : { value: undefined, done: true });
    this.close();
  }

  get size(): number {
    return this.items.length;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.ended = true;
    this.items.length = 0;
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  /**
   * The consumer failed: the queue ends as with `return()`. Having it makes the queue an
   * async generator in the eyes of graphql-sse, which only then stops a stream whose client
   * disconnected.
   */
  throw(): Promise<IteratorResult<T>> {
    return this.return();
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  private close() {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}
