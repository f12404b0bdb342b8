import { createPubSub, SESSIONS_REVOKED, type Caller, type PubSub } from '@atrium/kit';
import { freePort, testEnv, waitFor } from '@atrium/kit/testing';
import { GraphQLError } from 'graphql';
import { randomUUID } from 'node:crypto';
import { connect, createServer } from 'node:net';
import pino from 'pino';
import { startRevocations, type Revocations } from './revocations';

// The gateway's listener against a real Redis: what identity publishes is heard, and an
// unreachable Redis never stops the gateway from starting (nor from listening once it answers).

const REDIS_URL = testEnv.redisUrl;
// One expiry for every caller of the suite, so two callers of the same session compare equal.
const EXPIRES_AT = new Date(Date.now() + 600_000);
const caller = (sessionId?: string): Caller => ({ userId: 'u1', roles: [], scopes: [], sessionId, expiresAt: EXPIRES_AT });

function captureLog() {
  const lines: string[] = [];
  return { log: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }), lines };
}

describe('startRevocations', () => {
  const prefix = `gateway-test-revocations-${randomUUID()}`;
  let publisher: PubSub;
  let revocations: Revocations | undefined;
  const heard: string[][] = [];

  beforeAll(async () => {
    publisher = await createPubSub({ redisUrl: REDIS_URL, prefix, log: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await revocations?.close();
    await publisher?.close();
  });

  it('remembers the sessions identity announces, refuses their callers with a 401 UNAUTHENTICATED, and reports each revocation', async () => {
    revocations = await startRevocations({
      redisUrl: REDIS_URL,
      prefix,
      memoryMs: 60_000,
      log: pino({ level: 'silent' }),
      onRevoked: (ids) => void heard.push([...ids]),
    });
    expect(revocations.listening).toBe(true);
    const s1 = caller('s1');
    expect(revocations.admit(s1)).toBe(s1);

    await publisher.publish(SESSIONS_REVOKED, { userId: 'u1', sessionIds: ['s1', 's2'], reason: 'password changed', tokensExpireBy: new Date(Date.now() + 900_000).toISOString() });
    await waitFor(() => heard.length > 0, { what: 'the revocation to arrive' });

    expect(heard).toEqual([['s1', 's2']]);
    expect(revocations.revoked(caller('s1'))).toBe(true);
    expect(revocations.revoked(caller('s3'))).toBe(false);
    expect(revocations.revoked(caller(undefined))).toBe(false); // no sid, nothing to match
    expect(revocations.revoked(null)).toBe(false);
    let refused: unknown;
    try {
      revocations.admit(caller('s2'));
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(GraphQLError);
    expect(refused).toMatchObject({ message: 'The session was revoked: sign in again', extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
    expect(revocations.admit(null)).toBeNull();
  });

  it('ignores a malformed announcement and keeps listening', async () => {
    await publisher.publish(SESSIONS_REVOKED, { userId: 'u1', sessionIds: 'not-a-list' } as never);
    await publisher.publish(SESSIONS_REVOKED, { userId: 'u1', sessionIds: ['s9'], reason: 'logout', tokensExpireBy: 'whenever' });
    await waitFor(() => revocations!.revoked(caller('s9')), { what: 'the well-formed revocation' });
    expect(heard).toEqual([['s1', 's2'], ['s9']]);
  });

  it('starts without Redis, says so once, enforces nothing meanwhile, and listens once Redis answers', async () => {
    // A TCP relay to the real Redis that refuses connections until the test opens it.
    const port = await freePort();
    const relay = createServer((client) => {
      const upstream = connect(Number(new URL(REDIS_URL).port || 6379), new URL(REDIS_URL).hostname);
      client.pipe(upstream).pipe(client);
      const end = () => (client.destroy(), upstream.destroy());
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    const { log, lines } = captureLog();
    const later = await startRevocations({ redisUrl: `redis://127.0.0.1:${port}`, prefix, memoryMs: 60_000, log, retryMs: 50, onRevoked: () => undefined });
    try {
      expect(later.listening).toBe(false);
      await new Promise((r) => setTimeout(r, 200)); // a few retries
      await publisher.publish(SESSIONS_REVOKED, { userId: 'u1', sessionIds: ['unheard'], reason: 'logout', tokensExpireBy: new Date().toISOString() });
      const unheard = caller('unheard');
      expect(later.admit(unheard)).toBe(unheard); // fails open: nobody heard it
      expect(lines.filter((l) => l.includes('session revocations not enforced'))).toHaveLength(1);

      await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
      await waitFor(() => later.listening, { what: 'the listener to reach Redis' });
      await publisher.publish(SESSIONS_REVOKED, { userId: 'u1', sessionIds: ['heard'], reason: 'logout', tokensExpireBy: new Date().toISOString() });
      await waitFor(() => later.revoked(caller('heard')), { what: 'the revocation made once Redis answers' });
      expect(lines.some((l) => l.includes('session revocations enforced again'))).toBe(true);
    } finally {
      await later.close();
      await new Promise((resolve) => relay.close(resolve));
      // ioredis gives each refused connection 2 s to close before destroying it: let them go.
      await new Promise((r) => setTimeout(r, 2_100));
    }
  });
});
