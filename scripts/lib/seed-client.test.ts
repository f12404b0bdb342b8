import { createSeedClient } from './seed-client';

const limited = (retryAfter: number) =>
  new Response(JSON.stringify({ errors: [{ message: `Too many requests: retry in ${retryAfter}s`, extensions: { code: 'RATE_LIMITED', retryAfter } }] }), {
    status: 429,
    headers: { 'content-type': 'application/json', 'retry-after': String(retryAfter) },
  });
const ok = (data: unknown) => new Response(JSON.stringify({ data }), { headers: { 'content-type': 'application/json' } });

/** A gateway scripted answer by answer, recording the bodies it was sent. */
function scripted(...answers: Response[]) {
  const bodies: string[] = [];
  const fetch = (async (_url: string, init?: RequestInit) => {
    bodies.push(String(init?.body));
    return answers.shift() ?? ok(null);
  }) as typeof globalThis.fetch;
  return { bodies, fetch };
}

describe('the seed client', () => {
  it('waits out a rate limit for as long as Retry-After says, then sends the same operation again', async () => {
    const gateway = scripted(limited(7), limited(3), ok({ login: { accessToken: 't' } }));
    const slept: number[] = [];
    const waited: number[] = [];
    const gql = createSeedClient({ url: 'http://gateway/graphql', fetch: gateway.fetch, sleep: async (ms) => void slept.push(ms), onWait: (s) => waited.push(s) });
    const res = await gql('mutation($i: LoginInput!) { login(input: $i) { accessToken } }', { i: { email: 'a@b.c' } });
    expect(res).toEqual({ data: { login: { accessToken: 't' } } });
    expect(slept).toEqual([7_000, 3_000]);
    expect(waited).toEqual([7, 3]);
    expect(new Set(gateway.bodies).size).toBe(1);
    expect(gateway.bodies).toHaveLength(3);
  });

  it('returns any other error at once, and a rate limit that never lifts after maxWaits', async () => {
    const conflict = scripted(new Response(JSON.stringify({ errors: [{ message: 'taken', extensions: { code: 'CONFLICT' } }] }), { headers: { 'content-type': 'application/json' } }));
    const slept: number[] = [];
    const sleep = async (ms: number) => void slept.push(ms);
    expect((await createSeedClient({ url: 'u', fetch: conflict.fetch, sleep })('mutation { register }')).errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(slept).toEqual([]);
    const stuck = scripted(limited(1), limited(1), limited(1));
    const res = await createSeedClient({ url: 'u', fetch: stuck.fetch, sleep, maxWaits: 2 })('mutation { register }');
    expect(res.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(stuck.bodies).toHaveLength(3);
  });
});
