/**
 * In-flight deduplication of identical subgraph queries (SUBGRAPH_DEDUP): while one fetch is
 * on its way, an identical one — same subgraph (one table per data source), same body, same
 * forwarded identity — waits for it instead of sending a request of its own, and gets its
 * own copy of the answer.
 *
 * The key is the forwarded `Authorization` (requests of different callers are never merged;
 * anonymous ones share only with anonymous ones) and the exact body the subgraph would
 * receive (query, variables, operationName: fetch/sign.ts `sentBody`). Only queries are
 * shared ({@link isQuery}): a mutation, or anything that is not plainly a query, always goes
 * out on its own.
 *
 * The data source shares its whole fetch (data-source.ts `process`): retries, the circuit
 * breaker and signing run once for the underlying request, and a failure reaches every
 * sharer exactly as it would have reached the one that sent it.
 */
export class InFlight<T> {
  private readonly pending = new Map<string, Promise<T>>();

  /** `copy` gives each sharer but the sender a value of its own; `onShared` counts them. */
  constructor(
    private readonly copy: (value: T) => T,
    private readonly onShared: () => void = () => {},
  ) {}

  /** Runs `send` unless an identical fetch (`key`) is in flight; then answers with a copy of its result. */
  run(key: string, send: () => Promise<T>): Promise<T> {
    const inFlight = this.pending.get(key);
    if (inFlight) {
      this.onShared();
      // Registered before the sender's continuation can run: the copy is taken before anyone mutates the value.
      return inFlight.then(this.copy);
    }
    const done = () => {
      if (this.pending.get(key) === sent) this.pending.delete(key);
    };
    const sent: Promise<T> = send().then(
      (value) => {
        done();
        return value;
      },
      (err: unknown) => {
        done();
        throw err;
      },
    );
    this.pending.set(key, sent);
    // Through one more `then`, registered before any sharer's: the sender resumes only after
    // every sharer's copy was taken, so nothing it does to its value reaches theirs.
    return sent.then((value) => value);
  }

  /** Fetches in flight now (for tests). */
  get size(): number {
    return this.pending.size;
  }
}

/**
 * The dedup key of a subgraph request: the forwarded identity and the exact body. The
 * identity goes first with its length, so the two parts can never run into each other;
 * anonymous (no header forwarded) is `-`, which no length starts with.
 */
export function dedupKey(authorization: string | undefined, body: string): string {
  return authorization ? `${authorization.length}:${authorization}${body}` : `-${body}`;
}

/**
 * Whether a subgraph operation is plainly a query: an anonymous selection set (`{ ... }`) or
 * `query ...`. Anything else — a mutation, a subscription, a document that does not start
 * with its operation — is never shared.
 */
export function isQuery(query: string | undefined): boolean {
  if (!query) return false;
  return /^[\s,\uFEFF]*(?:\{|query(?![_0-9A-Za-z]))/.test(query);
}
