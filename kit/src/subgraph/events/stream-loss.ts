import type { Redis } from 'ioredis';

/** Compares two stream ids (`<ms>-<seq>`) numerically: negative, zero or positive. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq = '0'] = a.split('-');
  const [bMs, bSeq = '0'] = b.split('-');
  const byMs = BigInt(aMs) - BigInt(bMs);
  if (byMs !== 0n) return byMs < 0n ? -1 : 1;
  const bySeq = BigInt(aSeq) - BigInt(bSeq);
  return bySeq === 0n ? 0 : bySeq < 0n ? -1 : 1;
}

/** XINFO STREAM's flat `[name, value, …]` reply as a map. */
function fields(reply: unknown[]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (let i = 0; i + 1 < reply.length; i += 2) map.set(String(reply[i]), reply[i + 1]);
  return map;
}

/**
 * Whether the stream lost the entry `id` that this producer published — Redis lost its
 * data (FLUSHALL, a restart or failover without persistence) — rather than removed it on
 * purpose.
 *
 * The newest id of the stream cannot tell: ids are times, so after a wipe any producer's
 * next entry is newer than ours again. Our own entry's presence can. When it is gone, it
 * was removed on purpose if the stream says it deleted that far (`max-deleted-entry-id`,
 * Redis ≥ 7, moved by XDEL), or if the stream is at its cap (`maxLength`, the relay's
 * MAXLEN: approximate trimming never leaves fewer) and starts after it; otherwise —
 * stream missing, or recreated since — it was lost.
 */
export async function streamLostEntry(redis: Redis, stream: string, id: string, maxLength: number): Promise<boolean> {
  const found = await redis.xrange(stream, id, id);
  if (found.length > 0) return false;
  let info: Map<string, unknown>;
  try {
    info = fields((await redis.xinfo('STREAM', stream)) as unknown[]);
  } catch (err) {
    if (/no such key/i.test(String(err))) return true;
    throw err;
  }
  const maxDeleted = info.get('max-deleted-entry-id');
  if (typeof maxDeleted === 'string' && compareStreamIds(maxDeleted, id) >= 0) return false;
  const first = info.get('first-entry') as [string, string[]] | null | undefined;
  const trimmed = !!first && compareStreamIds(first[0], id) > 0 && Number(info.get('length')) >= maxLength;
  return !trimmed;
}
