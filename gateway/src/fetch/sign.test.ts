import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher, FetcherRequestInit } from '@apollo/utils.fetcher';
import { checkSignature, SIGNATURE_HEADER } from '@atrium/kit';
import type { GatewayContext } from '../context';
import { SubgraphDataSource } from './data-source';
import { createSigner } from './sign';

const SECRET = 's'.repeat(40);

/** A fetcher that records what would go over the wire and answers `{ data: {} }`. */
function recordingFetcher() {
  const sent: { body: string; headers: Record<string, string> }[] = [];
  const fetcher = (async (_url: string, init?: FetcherRequestInit) => {
    sent.push({ body: String(init?.body), headers: (init?.headers ?? {}) as Record<string, string> });
    return new Response(JSON.stringify({ data: { ok: true } }), { headers: { 'content-type': 'application/json' } });
  }) as unknown as Fetcher;
  return { sent, fetcher };
}

const operation = (request: Record<string, unknown>, context: Partial<GatewayContext> = {}) =>
  ({ kind: 'incoming operation', request, context, incomingRequestContext: { request: {}, overallCachePolicy: {} }, pathInIncomingRequest: [] }) as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;

describe('the gateway signing subgraph requests', () => {
  it('signs the exact bytes RemoteGraphQLDataSource sends, whatever the request holds', async () => {
    const { sent, fetcher } = recordingFetcher();
    const source = new SubgraphDataSource('products', 'http://127.0.0.1:9/graphql', fetcher, undefined, undefined, 0, createSigner({ NODE_ENV: 'production', SUBGRAPH_SIGNING_SECRETS: [SECRET] }));
    await source.process(
      operation(
        { operationName: 'Q', variables: { representations: [{ __typename: 'Product', id: 'p1' }], name: 'Zoë 🚀 "quoted"' }, query: 'query Q($representations: [_Any!]!) { _entities(representations: $representations) { __typename } }' },
        { authorization: 'Bearer t', requestId: 'r1' },
      ),
    );
    await source.process(operation({ query: '{ _service { sdl } }' }));
    expect(sent).toHaveLength(2);
    for (const { body, headers } of sent) {
      expect(checkSignature(headers[SIGNATURE_HEADER], body, [SECRET])).toEqual({ ok: true });
    }
    expect(sent[0].headers).toMatchObject({ authorization: 'Bearer t', 'x-request-id': 'r1' });
  });

  it('signs each attempt afresh, never sending two signatures', async () => {
    const { sent, fetcher } = recordingFetcher();
    let calls = 0;
    const flaky = (async (url: string, init?: FetcherRequestInit) => {
      if (calls++ === 0) return new Response('unavailable', { status: 503 });
      return (fetcher as unknown as (u: string, i?: FetcherRequestInit) => Promise<Response>)(url, init);
    }) as unknown as Fetcher;
    const source = new SubgraphDataSource('products', 'http://127.0.0.1:9/graphql', flaky, undefined, undefined, 1, createSigner({ NODE_ENV: 'production', SUBGRAPH_SIGNING_SECRETS: [SECRET] }));
    await source.process(operation({ query: '{ products { id } }' }));
    expect(sent).toHaveLength(1);
    expect(sent[0].headers[SIGNATURE_HEADER]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(checkSignature(sent[0].headers[SIGNATURE_HEADER], sent[0].body, [SECRET])).toEqual({ ok: true });
  });

  it('signs whenever it has a secret unless SUBGRAPH_SIGNATURE=off, and stops production without one', () => {
    expect(createSigner({ NODE_ENV: 'development', SUBGRAPH_SIGNING_SECRETS: [] })).toBeUndefined();
    expect(createSigner({ NODE_ENV: 'development', SUBGRAPH_SIGNING_SECRETS: [SECRET] })).toBeInstanceOf(Function);
    expect(createSigner({ NODE_ENV: 'production', SUBGRAPH_SIGNATURE: 'off', SUBGRAPH_SIGNING_SECRETS: [SECRET] })).toBeUndefined();
    expect(() => createSigner({ NODE_ENV: 'production', SUBGRAPH_SIGNING_SECRETS: [] })).toThrow(/SUBGRAPH_SIGNING_SECRETS/);
  });
});
