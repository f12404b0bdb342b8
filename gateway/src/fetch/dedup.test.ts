import { dedupKey, InFlight, isQuery } from './dedup';
import { sentBody } from './sign';

/** A promise and what settles it: a fetch held until the test says. */
function gate<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const body = (query: string, variables?: Record<string, unknown>, operationName?: string) => sentBody({ query, variables, operationName });

describe('dedupKey', () => {
  const q = body('{ products { id } }');

  it('is the same for the same identity and body', () => {
    expect(dedupKey('Bearer a', q)).toBe(dedupKey('Bearer a', body('{ products { id } }')));
    expect(dedupKey(undefined, q)).toBe(dedupKey(undefined, q));
  });

  it('differs for different callers, and between a caller and anonymous', () => {
    expect(dedupKey('Bearer a', q)).not.toBe(dedupKey('Bearer b', q));
    expect(dedupKey('Bearer a', q)).not.toBe(dedupKey(undefined, q));
    // A header that looks like the anonymous marker is still a caller of its own.
    expect(dedupKey('-', q)).not.toBe(dedupKey(undefined, q));
  });

  it('differs for any difference of query, variables or operation name', () => {
    const base = body('query Q($id: ID!) { product(id: $id) { id } }', { id: '1' }, 'Q');
    expect(dedupKey(undefined, base)).not.toBe(dedupKey(undefined, body('query Q($id: ID!) { product(id: $id) { id } }', { id: '2' }, 'Q')));
    expect(dedupKey(undefined, base)).not.toBe(dedupKey(undefined, body('query Q($id: ID!) { product(id: $id) { id } }', { id: 1 }, 'Q')));
    expect(dedupKey(undefined, base)).not.toBe(dedupKey(undefined, body('query Q($id: ID!) { product(id: $id) { id } }', { id: '1' }, 'R')));
    expect(dedupKey(undefined, base)).not.toBe(dedupKey(undefined, body('query Q($id: ID!) { product(id: $id) { id name } }', { id: '1' }, 'Q')));
  });

  it('cannot be forged by a header and body that run into each other', () => {
    expect(dedupKey('Bearer a{"query"', '}')).not.toBe(dedupKey('Bearer a', '{"query"}'));
    expect(dedupKey('-', '{}')).not.toBe(dedupKey(undefined, '-{}'));
  });
});

describe('isQuery', () => {
  it.each([
    ['{ products { id } }'],
    ['query { products { id } }'],
    ['query Op__products__0 { products { id } }'],
    ['query($representations:[_Any!]!){_entities(representations:$representations){...on Product{reviews{stars}}}}'],
    ['  \n query Q { a }'],
  ])('shares %s', (query) => expect(isQuery(query)).toBe(true));

  it.each([
    ['mutation { login(email: "a") }'],
    ['mutation Op__login__0 { login(email: "a") }'],
    ['  mutation{login(email:"a")}'],
    ['subscription { reviewAdded { stars } }'],
    ['queryX { a }'],
    ['fragment F on Query { a } query { ...F }'],
    [''],
    [undefined],
  ])('never shares %s', (query) => expect(isQuery(query)).toBe(false));
});

describe('InFlight', () => {
  it('sends once for concurrent runs of one key; each sharer gets a copy of its own', async () => {
    let shared = 0;
    const inFlight = new InFlight<{ data: { n: number[] } }>((v) => structuredClone(v), () => shared++);
    const held = gate<{ data: { n: number[] } }>();
    const send = jest.fn(() => held.promise);
    const runs = [inFlight.run('k', send), inFlight.run('k', send), inFlight.run('k', send)];
    expect(send).toHaveBeenCalledTimes(1);
    expect(shared).toBe(2);
    held.resolve({ data: { n: [1] } });
    const [first, ...others] = await Promise.all(runs);
    first.data.n.push(2); // the sender changing its answer changes no one else's
    for (const other of others) expect(other).toEqual({ data: { n: [1] } });
    expect(new Set([first, ...others]).size).toBe(3);
    expect(inFlight.size).toBe(0);
  });

  it('never copies for the sender before a sharer got its copy, even when the sender mutates at once', async () => {
    const inFlight = new InFlight<{ n: number[] }>((v) => structuredClone(v));
    const held = gate<{ n: number[] }>();
    const sender = inFlight.run('k', () => held.promise).then((v) => {
      v.n.push(99);
      return v;
    });
    const sharer = inFlight.run('k', () => held.promise);
    held.resolve({ n: [1] });
    expect((await sender).n).toEqual([1, 99]);
    expect((await sharer).n).toEqual([1]);
  });

  it('does not share between different keys', async () => {
    const inFlight = new InFlight<number>((v) => v);
    const send = jest.fn(async () => 1);
    await Promise.all([inFlight.run('a', send), inFlight.run('b', send)]);
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('shares nothing once the fetch has settled: a later identical run sends again', async () => {
    const inFlight = new InFlight<number>((v) => v);
    const send = jest.fn(async () => 1);
    await inFlight.run('k', send);
    await inFlight.run('k', send);
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('fails every sharer with the same error, and sends afresh afterwards', async () => {
    const inFlight = new InFlight<number>((v) => v);
    const held = gate<number>();
    const failure = new Error('subgraph down');
    const runs = [inFlight.run('k', () => held.promise), inFlight.run('k', () => held.promise)];
    held.reject(failure);
    for (const run of runs) await expect(run).rejects.toBe(failure);
    expect(inFlight.size).toBe(0);
    await expect(inFlight.run('k', async () => 2)).resolves.toBe(2);
  });
});
