import { errorCodes, graphql } from '@atrium/kit/testing';
import { castOfUsers, startSupergraph, type RunningSupergraph, type Session } from '../support/supergraph';

let sg: RunningSupergraph;
let manager: Session;

beforeAll(async () => {
  sg = await startSupergraph();
  ({ manager } = await castOfUsers(sg.url));
  const loc = await graphql(
    sg.url,
    `mutation { createLocation(input: { name: "Atrium Canal", city: "Amsterdam", address: "Herengracht 1", timezone: "Europe/Amsterdam" }) { id } }`,
    {},
    { token: manager.accessToken },
  );
  for (let i = 1; i <= 7; i++) {
    const res = await graphql(
      sg.url,
      `mutation($input: CreateWorkspaceInput!) { createWorkspace(input: $input) { id } }`,
      {
        input: {
          locationId: loc.data!.createLocation.id,
          name: `Desk ${i}`,
          kind: i % 2 ? 'DESK' : 'MEETING_ROOM',
          capacity: i,
          hourlyRate: { amount: 500 * i, currency: 'EUR' },
          amenities: i > 4 ? ['wifi'] : [],
        },
      },
      { token: manager.accessToken },
    );
    expect(res.errors).toBeUndefined();
  }
});
afterAll(async () => {
  await sg?.close();
});

describe('the catalog through the gateway', () => {
  it('answers the newcomer query across catalog and identity', async () => {
    const res = await graphql(sg.url, '{ workspaces(first: 5) { edges { node { name createdBy { name } } } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data!.workspaces.edges).toEqual(
      [1, 2, 3, 4, 5].map((i) => ({ node: { name: `Desk ${i}`, createdBy: { name: 'Max Manager' } } })),
    );
  });

  it('batches the creators of a page into one identity fetch and one SQL statement', async () => {
    const before = sg.received.identity.length;
    const res = await graphql(sg.url, '{ workspaces(first: 7) { edges { node { createdBy { name } location { city } } } } }');
    expect(res.data!.workspaces.edges).toHaveLength(7);
    expect(sg.received.identity.length - before).toBe(1);
  });

  it('filters and pages through the gateway', async () => {
    const page = async (after: string | null) =>
      (await graphql(sg.url, 'query($a: String) { workspaces(first: 2, after: $a, filter: { kind: DESK }) { totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }', { a: after })).data!
        .workspaces;
    const first = await page(null);
    expect(first.totalCount).toBe(4);
    expect(first.edges.map((e: any) => e.node.name)).toEqual(['Desk 1', 'Desk 3']);
    const second = await page(first.pageInfo.endCursor);
    expect(second.edges.map((e: any) => e.node.name)).toEqual(['Desk 5', 'Desk 7']);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const wifi = await graphql(sg.url, '{ workspaces(filter: { amenities: ["WiFi"], minCapacity: 6 }) { edges { node { name } } } }');
    expect(wifi.data!.workspaces.edges.map((e: any) => e.node.name)).toEqual(['Desk 6', 'Desk 7']);
  });

  it('passes BAD_USER_INPUT with the field name through the gateway', async () => {
    const res = await graphql(sg.url, '{ workspaces(first: 0) { totalCount } }');
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0].extensions!.field).toBe('first');
    const unknownField = await graphql(sg.url, '{ workspaces { nope } }');
    expect(errorCodes(unknownField)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('says how long a response may be cached, from the schema’s hints: public for anonymous catalog reads, private for a caller, no-store otherwise', async () => {
    const search = '{ workspaces(first: 3) { totalCount edges { node { name hourlyRate { amount } location { city } } } } }';
    expect((await graphql(sg.url, search)).headers.get('cache-control')).toBe('max-age=60, public');
    expect((await graphql(sg.url, search, {}, { token: manager.accessToken })).headers.get('cache-control')).toBe('max-age=60, private');
    // A user (its e-mail is theirs) has no hint: the whole response is uncacheable.
    expect((await graphql(sg.url, '{ workspaces(first: 3) { edges { node { createdBy { name } } } } }')).headers.get('cache-control')).toBe('no-store');
    expect((await graphql(sg.url, '{ me { id } }', {}, { token: manager.accessToken })).headers.get('cache-control')).toBe('no-store');
    // Errors are never cached.
    expect((await graphql(sg.url, '{ workspaces(first: 0) { totalCount } }')).headers.get('cache-control')).toBe('no-store');
  });

  it('carries one request id from the client to the subgraphs', async () => {
    const res = await graphql(sg.url, '{ workspaces(first: 1) { totalCount } }', {}, { headers: { 'x-request-id': 'trace-me-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-me-123');
  });
});
