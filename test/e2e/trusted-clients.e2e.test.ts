import { waitFor } from '@atrium/kit/testing';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { LOGIN, LOGOUT, operationRequest, REFRESH, type Operation } from '../../gateway/dashboard/src/operations';
import { createSeedClient, type SeedClient, type SeedResponse } from '../../scripts/lib/seed-client';
import { loadSeedOperations } from '../../scripts/lib/seed-operations';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../scripts/lib/seed-plan';
import { runSeed } from '../../scripts/lib/seed-run';
import { tierEnv } from '../support/env';
import { ADMIN, startSupergraph, type RunningSupergraph } from '../support/supergraph';

// Atrium's own clients under TRUSTED_DOCUMENTS=enforce, the production setting: `npm run
// seed`'s client and the operator dashboard (in Chromium; `npm run build:dashboard` first)
// send every operation by its id in documents/manifest.json, and get answers.

const MANIFEST = path.join(__dirname, '..', '..', 'documents', 'manifest.json');
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** What a gateway answers an operation it will not run under enforce (or an id it does not know). */
const DAY = 24 * 3600_000;
const REFUSALS = ['OPERATION_NOT_TRUSTED', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED'];

const operations = loadSeedOperations(MANIFEST);
let sg: RunningSupergraph;
let browser: Browser | undefined;

/** The seed's client on `url`, recording every request it sends and every error code it gets back. */
function recordingSeedClient(url: string) {
  const sent: Record<string, unknown>[] = [];
  const codes: string[] = [];
  const gql: SeedClient = createSeedClient({
    url,
    fetch: async (input, init) => {
      sent.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
      const res = await fetch(input, init);
      const body = (await res.clone().json()) as SeedResponse;
      codes.push(...(body.errors ?? []).map((e) => e.extensions?.code ?? 'none'));
      return res;
    },
  });
  return { gql, sent, codes };
}

beforeAll(async () => {
  sg = await startSupergraph({ TRUSTED_DOCUMENTS: 'enforce', TRUSTED_DOCUMENTS_MANIFEST: MANIFEST, HEALTH_POLL_INTERVAL_MS: '300' });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await sg?.close();
});

describe("Atrium's own clients under TRUSTED_DOCUMENTS=enforce", () => {
  it("loads the seed's demo data, every operation sent by its manifest id alone and none refused", async () => {
    const seed = recordingSeedClient(sg.url);
    const seeded = await runSeed({ gql: seed.gql, operations, admin: ADMIN, bookings: 8 });
    expect(seeded).toMatchObject({ accounts: 8, locations: 3, workspaces: 12 });
    expect(seeded.bookings).toBeGreaterThan(0);
    expect(seed.codes.filter((code) => REFUSALS.includes(code))).toEqual([]);
    // Ids alone: the client never needed to fall back to the bodies.
    expect(seed.sent.filter((request) => 'query' in request)).toEqual([]);
    const sentNames = new Set(seed.sent.map((request) => request.operationName));
    for (const name of ['SeedRegister', 'SeedLogin', 'SeedSetUserRoles', 'SeedWorkspaces', 'SeedCreateLocation', 'SeedCreateWorkspace', 'SeedCreateBooking', 'SeedPayForBooking']) {
      expect(sentNames).toContain(name);
    }
  }, 180_000);

  it("signs in, refreshes and signs out with the dashboard's HTTP operations sent by id", async () => {
    const post = async (op: Operation, variables: Record<string, unknown>) => {
      const res = await fetch(sg.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(operationRequest(op, variables, false)) });
      return (await res.json()) as SeedResponse;
    };
    const signedIn = await post(LOGIN, { input: { email: ADMIN.email, password: ADMIN.password } });
    expect(signedIn.errors).toBeUndefined();
    const refreshed = await post(REFRESH, { token: signedIn.data!.login.refreshToken });
    expect(refreshed.errors).toBeUndefined();
    expect(refreshed.data!.refreshSession.accessToken).toEqual(expect.any(String));
    const out = await post(LOGOUT, { token: refreshed.data!.refreshSession.refreshToken });
    expect(out).toEqual({ data: { logout: true } });
  });

  it('shows the dashboard whole: every section answered, the seeded bookings and a live one, by ids over HTTP and graphql-ws', async () => {
    browser = await chromium.launch({ executablePath: tierEnv.chromiumPath, args: ARGS });
    const page: Page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    // What the page sends: its HTTP operations and its graphql-ws `subscribe` messages.
    const requests: { query?: string; extensions?: { persistedQuery?: { sha256Hash?: string } } }[] = [];
    page.on('request', (req) => void (req.url().endsWith('/graphql') && req.method() === 'POST' && requests.push(JSON.parse(req.postData() ?? '{}'))));
    page.on('websocket', (ws) =>
      ws.on('framesent', ({ payload }) => {
        const message = JSON.parse(String(payload)) as { type: string; payload?: (typeof requests)[number] };
        if (message.type === 'subscribe') requests.push(message.payload!);
      }),
    );

    await page.goto(`${sg.gateway.url}/dashboard`);
    await page.getByTestId('signin-email').fill(ADMIN.email);
    await page.getByTestId('signin-password').fill(ADMIN.password);
    await page.getByTestId('signin-submit').click();
    await page.locator('[data-testid=connection-state][data-state=connected]').waitFor();
    await page.locator('[data-testid=service-row][data-service=gateway] [data-testid=service-status][data-status=UP]').waitFor();
    await page.locator('[data-testid=system-status][data-status]').waitFor();
    await page.locator('[data-testid=no-incidents], [data-testid=incidents-table]').waitFor();
    await page.getByTestId('booking-row').first().waitFor(); // the seed's, from recentBookings
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('ADMIN');

    // A booking made now reaches the feed through the bookingUpdated subscription.
    await waitFor(() => sg.gateway.hub.size >= 2, { what: "the dashboard's subscriptions" });
    const seed = recordingSeedClient(sg.url);
    const member = await seed.gql(operations.login, { input: { email: DEMO_ACCOUNTS.member.email, password: DEMO_PASSWORD } });
    const workspaces = await seed.gql(operations.workspaces);
    const startsAt = new Date(Math.floor(Date.now() / DAY) * DAY + 200 * DAY + 10 * 3600_000); // past the seed's
    const created = await seed.gql(
      operations.createBooking,
      { input: { workspaceId: workspaces.data!.workspaces.edges[0].node.id, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 3600_000).toISOString() } },
      member.data!.login.accessToken,
    );
    expect(created.errors).toBeUndefined();
    await page.locator(`[data-testid=booking-row][data-booking-id="${created.data!.createBooking.id}"][data-source=live]`).waitFor();

    // Every section answered: no error shown anywhere (a refused operation would show its code).
    expect(await page.getByTestId('error').count()).toBe(0);
    expect(await page.locator('[data-testid$=-error]').allTextContents()).toEqual([]);
    expect(pageErrors).toEqual([]);
    // Each operation went by its id alone (HTTP: no query; graphql-ws: an empty one).
    expect(requests.length).toBeGreaterThanOrEqual(10);
    expect(requests.filter((r) => !r.extensions?.persistedQuery?.sha256Hash || r.query)).toEqual([]);
  }, 120_000);

  it("falls back to the manifest's bodies on a gateway that does not read the manifest (TRUSTED_DOCUMENTS=off)", async () => {
    const off = await sg.anotherGateway({ TRUSTED_DOCUMENTS: 'off' });
    const seed = recordingSeedClient(`${off.url}/graphql`);
    const signedIn = await seed.gql(operations.login, { input: { email: ADMIN.email, password: ADMIN.password } });
    expect(signedIn.errors).toBeUndefined();
    expect(signedIn.data!.login.accessToken).toEqual(expect.any(String));
    expect(seed.sent.map((request) => ('query' in request ? 'body' : 'id'))).toEqual(['id', 'body']);
  });
});
