import pino from 'pino';
import { RevokedSessions } from './revocations';

const MINUTE = 60_000;

/** A memory on a clock the test moves by hand. */
function memory(options: { memoryMs?: number; maxEntries?: number } = {}) {
  let now = Date.UTC(2030, 0, 1);
  const lines: string[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
  const sessions = new RevokedSessions({ memoryMs: options.memoryMs ?? 16 * MINUTE, maxEntries: options.maxEntries, now: () => now, log });
  return {
    sessions,
    lines,
    get now() {
      return now;
    },
    advance: (ms: number) => void (now += ms),
  };
}

describe('RevokedSessions: the time-bounded memory of revoked sessions', () => {
  it('remembers a session for memoryMs, then forgets it', () => {
    const m = memory({ memoryMs: 16 * MINUTE });
    m.sessions.add('a');
    expect(m.sessions.has('a')).toBe(true);
    expect(m.sessions.has('b')).toBe(false);
    m.advance(16 * MINUTE - 1);
    expect(m.sessions.has('a')).toBe(true);
    m.advance(1);
    expect(m.sessions.has('a')).toBe(false);
    expect(m.sessions.size).toBe(0); // forgotten, not only hidden
  });

  it("keeps a session longer when identity says its tokens outlive the memory (plus skew), never shorter", () => {
    const m = memory({ memoryMs: 16 * MINUTE });
    m.sessions.add('long', m.now + 60 * MINUTE); // ACCESS_TOKEN_TTL=3600 at identity
    m.sessions.add('short', m.now + 5 * MINUTE); // a shorter TTL: the configured memory still applies
    m.advance(16 * MINUTE);
    expect(m.sessions.has('short')).toBe(false);
    expect(m.sessions.has('long')).toBe(true);
    m.advance(44 * MINUTE + MINUTE - 1); // tokensExpireBy + 60 s of clock skew
    expect(m.sessions.has('long')).toBe(true);
    m.advance(1);
    expect(m.sessions.has('long')).toBe(false);
  });

  it('caps what an announcement can ask for at a day, and ignores a date it cannot read', () => {
    const m = memory({ memoryMs: MINUTE });
    m.sessions.add('forever', m.now + 365 * 24 * 60 * MINUTE);
    m.sessions.add('garbage', Number.NaN);
    m.advance(MINUTE);
    expect(m.sessions.has('garbage')).toBe(false);
    m.advance(24 * 60 * MINUTE);
    expect(m.sessions.has('forever')).toBe(false);
  });

  it('never shortens what it already remembers when a session is announced again', () => {
    const m = memory({ memoryMs: 10 * MINUTE });
    m.sessions.add('a', m.now + 30 * MINUTE);
    m.advance(MINUTE);
    m.sessions.add('a');
    m.advance(20 * MINUTE);
    expect(m.sessions.has('a')).toBe(true);
  });

  it('drops expired sessions as new ones arrive, so memory follows the revocations of the last minutes', () => {
    const m = memory({ memoryMs: 10 * MINUTE });
    for (let i = 0; i < 50; i++) m.sessions.add(`old-${i}`);
    m.advance(10 * MINUTE);
    m.sessions.add('new');
    expect(m.sessions.size).toBe(1);
    expect(m.sessions.has('new')).toBe(true);
  });

  it('holds at most maxEntries, forgetting the oldest first, with a warning', () => {
    const m = memory({ memoryMs: 10 * MINUTE, maxEntries: 3 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) m.sessions.add(id);
    expect(m.sessions.size).toBe(3);
    expect(['a', 'b', 'c', 'd', 'e'].filter((id) => m.sessions.has(id))).toEqual(['c', 'd', 'e']);
    expect(m.lines.filter((l) => l.includes('too many revoked sessions'))).toHaveLength(1); // once, not per eviction
  });
});
