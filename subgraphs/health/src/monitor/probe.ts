/** What one probe of a service's `/ready` saw. */
export interface Observation {
  service: string;
  status: 'UP' | 'DOWN';
  /** Time to the response's status line; null when there was no response. */
  latencyMs: number | null;
  /** Why it is DOWN ("503 Service Unavailable", "connection refused", "timeout after 2000 ms"); null when UP. */
  reason: string | null;
  at: Date;
}

/**
 * GETs `<url>/ready` once: UP on 200, DOWN on anything else, on a network error or when
 * no answer comes within `timeoutMs`. Never throws.
 */
export async function probe(service: string, url: string, timeoutMs: number): Promise<Observation> {
  const at = new Date();
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    const latencyMs = elapsed();
    // The body is not needed; drain it so the connection can be reused.
    await res.body?.cancel().catch(() => undefined);
    if (res.status === 200) return { service, status: 'UP', latencyMs, reason: null, at };
    return { service, status: 'DOWN', latencyMs, reason: `${res.status} ${res.statusText}`.trim(), at };
  } catch (err) {
    return { service, status: 'DOWN', latencyMs: null, reason: failureReason(err, timeoutMs), at };
  }
}

/** A short, stable reason for a failed fetch (undici hides the socket error in `cause`). */
export function failureReason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timeout after ${timeoutMs} ms`;
  switch (e?.cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    default:
      return e?.cause?.message ?? e?.message ?? String(err);
  }
}
