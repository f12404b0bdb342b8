import { documentId } from '../../gateway/src/http/trusted-documents-manifest';
import { createSeedClient } from './seed-client';

const limited = (retryAfter: number) =>
  new Response(JSON.stringify({ errors: [{ message: `Too many requests: retry in ${retryAfter}s`, extensions: { code: 'RATE_LIMITED', retryAfter } }] }), {
    status: 429,
    headers: { 'content-type': 'application/json', 'retry-after': String(retryAfter) },
  });
const ok = (data: unknown) => new Response(JSON.stringify({ data }), { headers: { 'content-type': 'application/json' } });
const failing = (code: string) => new Response(JSON.stringify({ errors: [{ message: code, extensions: { code } }] }), { headers: { 'content-type': 'application/json' } });

const LOGIN_BODY = 'mutation SeedLogin($input: LoginInput!) {\n  login(input: $input) {\n    accessToken\n  }\n}';
const LOGIN = { name: 'SeedLogin', id: documentId(LOGIN_BODY), body: LOGIN_BODY };

/** A gateway scripted answer by answer, recording the bodies it was sent. */
function scripted(...answers: Response[]) {
  const bodies: string[] = [];
  const fetch = (async (_url: string, init?: RequestInit) => {
    bodies.push(String(init?.body));
    return answers.shift() ?? ok(null);
  }) as typeof globalThis.fetch;
  return { bodies, fetch, sent: () => bodies.map((b) => JSON.parse(b) as Record<string, unknown>) };
}

describe('the seed client', () => {
  it('sends an operation by its manifest id alone, as trusted documents (enforce) want it', async () => {
    const gateway = scripted(ok({ login: { accessToken: 't' } }));
    const res = await createSeedClient({ url: 'u', fetch: gateway.fetch })(LOGIN, { input: { email: 'a@b.c' } });
    expect(res).toEqual({ data: { login: { accessToken: 't' } } });
    expect(gateway.sent()).toEqual([{ operationName: 'SeedLogin', variables: { input: { email: 'a@b.c' } }, extensions: { persistedQuery: { version: 1, sha256Hash: LOGIN.id } } }]);
  });

  it('sends the exact body, from then on, to a gateway that answers it does not know ids (TRUSTED_DOCUMENTS=off)', async () => {
    for (const code of ['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']) {
      const gateway = scripted(failing(code), ok({ login: { accessToken: 't' } }), ok({ login: { accessToken: 'u' } }));
      const gql = createSeedClient({ url: 'u', fetch: gateway.fetch });
      expect(await gql(LOGIN, { input: {} })).toEqual({ data: { login: { accessToken: 't' } } });
      expect(await gql(LOGIN, { input: {} })).toEqual({ data: { login: { accessToken: 'u' } } });
      const [byId, ...byBody] = gateway.sent();
      expect(byId.extensions).toBeDefined();
      expect(byBody).toEqual([0, 1].map(() => ({ operationName: 'SeedLogin', query: LOGIN_BODY, variables: { input: {} } })));
    }
  });

  it('waits out a rate limit for as long as Retry-After says, then sends the same operation again', async () => {
    const gateway = scripted(limited(7), limited(3), ok({ login: { accessToken: 't' } }));
    const slept: number[] = [];
    const waited: number[] = [];
    const gql = createSeedClient({ url: 'http://gateway/graphql', fetch: gateway.fetch, sleep: async (ms) => void slept.push(ms), onWait: (s) => waited.push(s) });
    const res = await gql(LOGIN, { input: { email: 'a@b.c' } });
    expect(res).toEqual({ data: { login: { accessToken: 't' } } });
    expect(slept).toEqual([7_000, 3_000]);
    expect(waited).toEqual([7, 3]);
    expect(new Set(gateway.bodies).size).toBe(1);
    expect(gateway.bodies).toHaveLength(3);
  });

  it('returns any other error at once, and a rate limit that never lifts after maxWaits', async () => {
    const conflict = scripted(failing('CONFLICT'));
    const slept: number[] = [];
    const sleep = async (ms: number) => void slept.push(ms);
    expect((await createSeedClient({ url: 'u', fetch: conflict.fetch, sleep })(LOGIN)).errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(slept).toEqual([]);
    expect(conflict.bodies).toHaveLength(1);
    const stuck = scripted(limited(1), limited(1), limited(1));
    const res = await createSeedClient({ url: 'u', fetch: stuck.fetch, sleep, maxWaits: 2 })(LOGIN);
    expect(res.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(stuck.bodies).toHaveLength(3);
  });
});
