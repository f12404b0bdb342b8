import { graphql, openSubscriptions, waitFor } from '@atrium/kit/testing';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { scrape } from '../../gateway/src/testing/foreign-supergraph';
import { tierEnv } from '../support/env';
import { castOfUsers, startSupergraph, SUPERGRAPH_FILE, type RunningSupergraph, type Session } from '../support/supergraph';
import { buildPage, serveStatic, type StaticServer } from './page-server';
import { TRANSPORTS, type LiveEvent, type PageWindow, type Transport } from './page/results';

// The gateway's streaming features proven with the real client in a real browser: a page
// built with Vite from test/browser/page (Apollo Client: HttpLink with the @defer handler
// and multipart subscriptions, GraphQLWsLink, and an SSE link over graphql-sse), served from
// an origin of its own (allowed by the gateway's CORS_ORIGINS), driven in Chromium by
// playwright-core, against the whole supergraph. The gateway follows a temporary copy of
// schema/supergraph.graphql (SUPERGRAPH_WATCH=on), which the last test touches. A screenshot
// of the page is left in the OS temp folder (its path is printed).

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const CARD = { number: '4242424242424242', expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' };
const SCREENSHOT = path.join(os.tmpdir(), 'atrium-test-artifacts', 'browser-apollo-client.png');
/** Budget for what crosses the whole platform (events, payment, reload) on a loaded machine. */
const BUDGET = 90_000;

let work: string;
let supergraphCopy: string;
let site: StaticServer;
let sg: RunningSupergraph;
let member: Session;
let workspaceId: string;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

let nextSlot = 0;
/** A fresh one-hour slot next year (each call a different one, so bookings never conflict). */
function slot() {
  const start = Date.UTC(new Date().getUTCFullYear() + 1, 4, 1, 8) + nextSlot++ * 2 * 3600_000;
  return { startsAt: new Date(start).toISOString(), endsAt: new Date(start + 3600_000).toISOString() };
}

const gql = async (query: string, variables: Record<string, unknown>, token = member.accessToken) => {
  const res = await graphql(sg.url, query, variables, { token });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!;
};
const book = async () => (await gql(`mutation($input: CreateBookingInput!) { createBooking(input: $input) { id status } }`, { input: { workspaceId, ...slot() } })).createBooking.id as string;
const pay = (bookingId: string) => gql(`mutation($input: PayForBookingInput!) { payForBooking(input: $input) { status } }`, { input: { bookingId, card: CARD } });
const cancel = (id: string) => gql(`mutation($id: ID!) { cancelBooking(id: $id) { status } }`, { id });

/** The page's recorded results (a copy, read in the browser). */
const results = () => page.evaluate(() => (globalThis as unknown as PageWindow).results);
/** The statuses one transport delivered for one booking, in order. */
const statusesOf = (events: LiveEvent[], id: string) => events.filter((e) => e.id === id).map((e) => e.status);
/** Waits until every transport delivered `status` for booking `id` (checked in the page, on each animation frame). */
const everyTransportSees = (id: string, status: string) =>
  page.waitForFunction(
    ([bookingId, wanted]) => {
      const { live } = (globalThis as unknown as PageWindow).results;
      return Object.values(live).every((events) => events.some((e) => e.id === bookingId && e.status === wanted));
    },
    [id, status] as const,
    { timeout: BUDGET },
  );
/** How many subscriptions each transport has opened on the gateway so far. */
const openedPerTransport = async () => {
  const metrics = await scrape(sg.gateway);
  return Object.fromEntries(TRANSPORTS.map((t) => [t, metrics(`atrium_subscriptions_opened_total{transport="${t}"}`)])) as Record<Transport, number>;
};

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'atrium-browser-'));
  await buildPage(path.join(__dirname, 'page'), path.join(work, 'page'));
  site = await serveStatic(path.join(work, 'page'));
  supergraphCopy = path.join(work, 'supergraph.graphql');
  copyFileSync(SUPERGRAPH_FILE, supergraphCopy);
  sg = await startSupergraph({ CORS_ORIGINS: site.origin, SUPERGRAPH_PATH: supergraphCopy, SUPERGRAPH_WATCH: 'on' });
  let manager: Session;
  ({ manager, member } = await castOfUsers(sg.url));
  const location = await gql(`mutation { createLocation(input: { name: "Atrium Opéra", city: "Paris", address: "1 rue Auber", timezone: "Europe/Paris" }) { id } }`, {}, manager.accessToken);
  const workspace = await gql(
    `mutation($l: ID!) { createWorkspace(input: { locationId: $l, name: "Board room", kind: MEETING_ROOM, capacity: 8, hourlyRate: { amount: 1200, currency: "EUR" } }) { id } }`,
    { l: location.createLocation.id },
    manager.accessToken,
  );
  workspaceId = workspace.createWorkspace.id;
  // booking learns about workspaces from catalog's events: wait until it knows this one.
  await waitFor(async () => Boolean(await cancel(await book())), { what: 'booking to know the workspace', timeoutMs: BUDGET });

  browser = await chromium.launch({ executablePath: tierEnv.chromiumPath, args: ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(BUDGET);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${site.origin}/?${new URLSearchParams({ gateway: sg.url, token: member.accessToken })}`);
  await page.waitForFunction(() => Boolean((globalThis as unknown as Partial<PageWindow>).atrium));
});

afterAll(async () => {
  if (page) {
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true }).then(
      () => process.stdout.write(`browser test screenshot: ${SCREENSHOT}\n`),
      (err) => process.stdout.write(`browser test screenshot failed: ${String(err)}\n`),
    );
  }
  await browser?.close();
  await sg?.close();
  await site?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('Apollo Client in Chromium, through the gateway', () => {
  it('renders a booking first without its deferred workspace, then again with it (@defer over multipart/mixed)', async () => {
    const id = await book();
    await page.evaluate((bookingId) => (globalThis as unknown as PageWindow).atrium.deferBooking(bookingId), id);
    await page.waitForFunction(() => (globalThis as unknown as PageWindow).results.defer.some((d) => d.dataState === 'complete'), undefined, { timeout: BUDGET });
    const { defer, errors } = await results();
    expect(errors).toEqual([]);
    // The first render has the booking without the workspace; the last has both; nothing in between.
    expect(defer).toEqual([
      { dataState: 'streaming', status: 'PENDING_PAYMENT', workspace: null, city: null },
      { dataState: 'complete', status: 'PENDING_PAYMENT', workspace: 'Board room', city: 'Paris' },
    ]);
    expect(await page.getByTestId('defer-view').textContent()).toBe('PENDING_PAYMENT · Board room, Paris');
    await cancel(id); // before the page follows the workspace: its hold never expires into the next tests' lists
  });

  it('shows a booking going PENDING_PAYMENT → CONFIRMED live over graphql-ws, multipart HTTP and SSE at once', async () => {
    await page.evaluate((w) => (globalThis as unknown as PageWindow).atrium.follow(w), workspaceId);
    // All three open on the gateway, and every upstream they share is listening in booking (confirmed by Redis).
    await waitFor(async () => sg.gateway.hub.size === 3 && sg.gateway.hub.upstreams > 0 && (await openSubscriptions(sg.subgraphs.booking.metrics)) === sg.gateway.hub.upstreams, {
      what: 'three subscriptions open and listening upstream',
      timeoutMs: BUDGET,
    });
    const metrics = await scrape(sg.gateway);
    for (const t of TRANSPORTS) expect({ t, open: metrics(`atrium_subscriptions_open_by_transport{transport="${t}"}`) }).toEqual({ t, open: 1 });

    const id = await book();
    await everyTransportSees(id, 'PENDING_PAYMENT');
    await pay(id);
    await everyTransportSees(id, 'CONFIRMED');

    const r = await results();
    for (const t of TRANSPORTS) {
      expect({ t, statuses: statusesOf(r.live[t], id) }).toEqual({ t, statuses: ['PENDING_PAYMENT', 'CONFIRMED'] });
      expect({ t, workspace: r.live[t].find((e) => e.id === id)?.workspace }).toEqual({ t, workspace: 'Board room' });
      expect({ t, ended: r.ended[t], starts: r.starts[t] }).toEqual({ t, ended: null, starts: 1 });
    }
    expect(r.errors).toEqual([]);
    expect(await page.locator(`[data-transport] li[data-booking="${id}"][data-status=CONFIRMED]`).count()).toBe(3);
  });

  it('goes on delivering on the same three subscriptions after the gateway reloads a changed supergraph file', async () => {
    const before = { results: await results(), opened: await openedPerTransport(), upstream: await openSubscriptions(sg.subgraphs.booking.metrics) };
    expect(before.results.socketConnections).toBe(1);
    const schema = sg.gateway.gateway.schema;
    // Observed, not replaced: what the hub did with the open subscriptions when the supergraph changed.
    const reload = jest.spyOn(sg.gateway.hub, 'reload');
    try {
      appendFileSync(supergraphCopy, `\n# touched by ${path.basename(__filename)} at ${new Date().toISOString()}\n`);
      await waitFor(async () => sg.gateway.gateway.schema !== schema && reload.mock.results.length > 0, { what: 'the gateway to load the changed supergraph', timeoutMs: BUDGET });
      // All three carried over with their upstream as it was (none re-opened upstream, none ended).
      expect(reload.mock.results.map((r) => r.value)).toEqual([{ kept: 3, reopened: 0, ended: 0 }]);
    } finally {
      reload.mockRestore();
    }

    const id = await book();
    await everyTransportSees(id, 'PENDING_PAYMENT');
    await pay(id);
    await everyTransportSees(id, 'CONFIRMED');

    const after = await results();
    for (const t of TRANSPORTS) {
      expect({ t, statuses: statusesOf(after.live[t], id) }).toEqual({ t, statuses: ['PENDING_PAYMENT', 'CONFIRMED'] });
      // The same subscription: never ended, never started again by the page.
      expect({ t, ended: after.ended[t], starts: after.starts[t] }).toEqual({ t, ended: null, starts: 1 });
    }
    expect(after.socketConnections).toBe(1);
    expect(after.errors).toEqual([]);
    // …nor opened again on the gateway, whose upstream into booking stayed as it was.
    expect(await openedPerTransport()).toEqual(before.opened);
    expect(sg.gateway.hub.size).toBe(3);
    expect(await openSubscriptions(sg.subgraphs.booking.metrics)).toBe(before.upstream);
    expect(pageErrors).toEqual([]);
  });
});
