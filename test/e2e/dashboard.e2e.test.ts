import { loadSupergraphConfig } from '@atrium/kit';
import { graphql, waitFor } from '@atrium/kit/testing';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SELF } from '../../subgraphs/health/src/monitor/targets';
import { tierEnv } from '../support/env';
import { ADMIN, castOfUsers, startSupergraph, type RunningSupergraph, type Session } from '../support/supergraph';

// The dashboard in a real browser against the whole supergraph: sign-in over HTTP, then
// everything over the page's one graphql-ws connection. Needs `npm run build:dashboard`
// (npm test runs it) and Chromium (CHROMIUM_PATH, default /usr/bin/chromium; .ci/run installs it).
// It leaves a screenshot of the whole page in TEST_ARTIFACTS_DIR (default test-artifacts/).

const CHROMIUM = tierEnv.chromiumPath;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** What health monitors: every subgraph of supergraph.yaml but itself, and the gateway. */
const MONITORED = [
  ...loadSupergraphConfig(path.join(__dirname, '..', '..', 'supergraph.yaml'))
    .map((s) => s.name)
    .filter((name) => name !== SELF),
  'gateway',
];
const DAY = 24 * 3600_000;
const CREATE = `mutation($input: CreateBookingInput!) { createBooking(input: $input) { id status } }`;
const PAY = `mutation($input: PayForBookingInput!) { payForBooking(input: $input) { status } }`;

let sg: RunningSupergraph;
let admin: Session;
let member: Session;
let workspaceId: string;
let browser: Browser;
let page: Page;
let dashboardUrl: string;
const pageErrors: string[] = [];
/** The browser console's errors on the admin's page (a CSP refusal would show there). */
const consoleErrors: string[] = [];
/** Bookings made before the page opens, oldest first: the feed must open with them. */
const earlier: string[] = [];
const ARTIFACTS = process.env.TEST_ARTIFACTS_DIR ?? path.join(__dirname, '..', '..', 'test-artifacts');

/** A slot `days` from now at `hour`:00 UTC. */
function slot(days: number, hour: number) {
  const today = new Date();
  const start = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) + days * DAY + hour * 3600_000);
  return { startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 3600_000).toISOString() };
}
const book = (token: string, when: ReturnType<typeof slot>) => graphql(sg.url, CREATE, { input: { workspaceId, ...when } }, { token });

/** A chart box's `data-*` attribute (what uPlot was given: charts.ts), as a number. */
const chartNumber = (on: Page, chart: string, attribute: string) =>
  on.getByTestId(`chart-${chart}`).getAttribute(`data-${attribute}`).then(Number);
/** Waits until that attribute reaches `min` (the charts are re-read every 10 s). */
const chartReaches = (on: Page, chart: string, attribute: string, min: number) =>
  waitFor(async () => (await chartNumber(on, chart, attribute)) >= min, { what: `chart ${chart}'s data-${attribute} to reach ${min}`, timeoutMs: 60_000 });

/** Waits for the element matching `selector` (attributes included), as the page updates itself. */
const shows = (on: Page, selector: string) => on.locator(selector).first().waitFor();
const connected = (on: Page) => shows(on, '[data-testid=connection-state][data-state=connected]');

beforeAll(async () => {
  sg = await startSupergraph({ HEALTH_POLL_INTERVAL_MS: '300' });
  dashboardUrl = `${sg.gateway.url}/dashboard`;
  let manager: Session;
  ({ admin, manager, member } = await castOfUsers(sg.url));
  const location = await graphql(sg.url, `mutation { createLocation(input: { name: "Atrium Opéra", city: "Paris", address: "1 rue Auber", timezone: "Europe/Paris" }) { id } }`, {}, { token: manager.accessToken });
  const workspace = await graphql(
    sg.url,
    `mutation($l: ID!) { createWorkspace(input: { locationId: $l, name: "Board room", kind: MEETING_ROOM, capacity: 8, hourlyRate: { amount: 1200, currency: "EUR" } }) { id } }`,
    { l: location.data!.createLocation.id },
    { token: manager.accessToken },
  );
  workspaceId = workspace.data!.createWorkspace.id;
  // booking learns about workspaces from catalog's events: wait until it knows this one.
  await waitFor(async () => {
    const res = await book(member.accessToken, slot(300, 8));
    if (res.data) await graphql(sg.url, `mutation($id: ID!) { cancelBooking(id: $id) { id } }`, { id: res.data.createBooking.id }, { token: member.accessToken });
    return !!res.data;
  }, { what: 'booking to know the workspace' });
  // History for the feed to open with: made before any page exists, one after the other.
  for (const days of [4, 5, 6]) {
    const res = await book(member.accessToken, slot(days, 9));
    expect(res.errors).toBeUndefined();
    earlier.push(res.data!.createBooking.id);
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await sg?.close();
});

describe('the operations dashboard at /dashboard', () => {
  it('is served by the gateway (built by npm run build:dashboard)', async () => {
    const res = await fetch(dashboardUrl);
    expect({ status: res.status, body: res.status === 200 ? 'the page' : await res.text() }).toEqual({ status: 200, body: 'the page' });
  });

  it('signs the admin in and shows every monitored service with its status, the system and the incidents', async () => {
    page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (message) => void (message.type() === 'error' && consoleErrors.push(message.text())));
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(dashboardUrl);
    await page.getByTestId('signin-email').fill(ADMIN.email);
    await page.getByTestId('signin-password').fill(ADMIN.password);
    await page.getByTestId('signin-submit').click();
    await connected(page);

    for (const name of MONITORED) await shows(page, `[data-testid=service-row][data-service="${name}"] [data-testid=service-status][data-status=UP]`);
    expect(await page.getByTestId('service-row').count()).toBe(MONITORED.length);
    await shows(page, '[data-testid=system-status][data-status]');
    expect(await page.getByTestId('redis-status').getAttribute('data-status')).toBe('UP');
    expect(await page.getByTestId('postgres-status').getAttribute('data-status')).toBe('UP');
    await shows(page, '[data-testid=queue-row][data-queue=health-poll]');
    await shows(page, '[data-testid=no-incidents], [data-testid=incidents-table]');
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('ADMIN');
    expect(await page.getByTestId('error').count()).toBe(0);

    // The token outlives a reload (sessionStorage): no second sign-in.
    await page.reload();
    await connected(page);
    await shows(page, '[data-testid=service-row][data-service=gateway] [data-testid=service-status][data-status=UP]');
    expect(await page.getByTestId('signin-form').count()).toBe(0);
  }, 60_000);

  it('opens the booking feed with the bookings made before the page, the last changed first', async () => {
    const rows = page.getByTestId('booking-row');
    for (const id of earlier) await shows(page, `[data-testid=booking-row][data-booking-id="${id}"][data-source=history]`);
    // Newest first; the workspace probe's cancelled booking (made before them) comes after.
    const ids = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-booking-id')));
    expect(ids.slice(0, 3)).toEqual([...earlier].reverse());
    expect(new Set(ids).size).toBe(ids.length);
    const first = page.locator(`[data-testid=booking-row][data-booking-id="${earlier[2]}"]`);
    expect(await first.getByTestId('booking-workspace').textContent()).toBe('Board room');
    expect(await first.getByTestId('booking-user').textContent()).toBe('Mia Member');
    expect(await first.locator('[data-testid=booking-status]').getAttribute('data-status')).toBe('PENDING_PAYMENT');
  }, 60_000);

  it('draws the history charts with real points: latency and status per service, gateway traffic, bookings per hour', async () => {
    // Probe latency and share of probes UP: one series per monitored service, in their order.
    for (const chart of ['latency', 'availability']) {
      await chartReaches(page, chart, 'points', 1);
      expect(await chartNumber(page, chart, 'series')).toBe(MONITORED.length);
      expect(await page.getByTestId(`chart-${chart}`).getAttribute('data-services')).toBe(MONITORED.join(','));
      expect(await chartNumber(page, chart, 'probes')).toBeGreaterThan(0);
      expect(await page.locator(`[data-testid=chart-${chart}] canvas`).count()).toBe(1);
    }
    expect(await chartNumber(page, 'latency', 'step')).toBe(10);

    // The gateway's own counter: every request of this suite so far went through it.
    await chartReaches(page, 'traffic', 'requests', 1);
    expect(await chartNumber(page, 'traffic', 'series')).toBe(2);
    expect(await chartNumber(page, 'traffic', 'points')).toBeGreaterThanOrEqual(1);

    // reporting counts bookings from events, so they may land a poll later.
    await chartReaches(page, 'bookings', 'bookings', earlier.length + 1); // + the workspace probe's
    expect(await chartNumber(page, 'bookings', 'series')).toBe(2);
    expect(await chartNumber(page, 'bookings', 'points')).toBeGreaterThanOrEqual(24);
    expect(await chartNumber(page, 'bookings', 'cancellations')).toBeGreaterThanOrEqual(1);
    for (const chart of ['latency', 'availability', 'traffic', 'bookings']) expect(await page.getByTestId(`chart-${chart}-error`).count()).toBe(0);
  }, 120_000);

  it('adds a booking made over HTTP to the live feed without a reload, and shows it CONFIRMED once paid', async () => {
    let loads = 0;
    page.on('load', () => loads++);
    // The page's two subscriptions (service health, bookings) are open at the gateway.
    await waitFor(() => sg.gateway.hub.size >= 2, { what: "the dashboard's subscriptions" });

    const created = await book(member.accessToken, slot(3, 10));
    expect(created.errors).toBeUndefined();
    const id: string = created.data!.createBooking.id;
    const row = page.locator(`[data-testid=booking-row][data-booking-id="${id}"]`);
    await row.locator('[data-testid=booking-status][data-status=PENDING_PAYMENT]').waitFor();
    await shows(page, `[data-testid=booking-row][data-booking-id="${id}"][data-source=live]`); // brought by bookingUpdated
    // Completed by the gateway from catalog and identity, like any bookingUpdated payload.
    expect(await row.getByTestId('booking-workspace').textContent()).toBe('Board room');
    expect(await row.getByTestId('booking-city').textContent()).toBe('Paris');
    expect(await row.getByTestId('booking-user').textContent()).toBe('Mia Member');

    const card = { number: '4242424242424242', expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' };
    const paid = await graphql(sg.url, PAY, { input: { bookingId: id, card } }, { token: member.accessToken });
    expect(paid.data?.payForBooking.status).toBe('SUCCEEDED');
    await row.locator('[data-testid=booking-status][data-status=CONFIRMED]').waitFor();
    expect(await row.count()).toBe(1); // the same row, updated in place
    expect(await page.getByTestId('booking-row').first().getAttribute('data-booking-id')).toBe(id);
    // Below it, the bookings the feed opened with, each once: no duplicate, no gap.
    const ids = await page.getByTestId('booking-row').evaluateAll((els) => els.map((el) => el.getAttribute('data-booking-id')));
    expect(ids.slice(0, 4)).toEqual([id, ...[...earlier].reverse()]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(loads).toBe(0);

    // The bookings chart catches up with it too (reporting counts from events).
    await chartReaches(page, 'bookings', 'bookings', earlier.length + 2);
    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = path.join(ARTIFACTS, 'dashboard.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`dashboard screenshot: ${screenshot}`);
    expect(consoleErrors).toEqual([]);
  }, 120_000);

  it('turns a stopped subgraph DOWN with an open incident, and back UP, without a reload', async () => {
    let loads = 0;
    page.on('load', () => loads++);
    const status = (name: string, value: string) => `[data-testid=service-row][data-service="${name}"] [data-testid=service-status][data-status=${value}]`;
    await shows(page, status('reporting', 'UP'));
    await sg.stop('reporting');
    await shows(page, status('reporting', 'DOWN')); // pushed by serviceHealthChanged
    await shows(page, '[data-testid=incident-row][data-service=reporting]'); // the periodic re-query
    await sg.restart('reporting');
    await shows(page, status('reporting', 'UP'));
    expect(loads).toBe(0);
  }, 60_000);

  it('tells a member plainly what they may not see, and signs out for good', async () => {
    const context = await browser.newContext();
    const other = await context.newPage();
    other.setDefaultTimeout(20_000);
    other.on('pageerror', (err) => pageErrors.push(err.message));
    await other.goto(dashboardUrl);
    await other.getByTestId('signin-email').fill('member@atrium.test');
    await other.getByTestId('signin-password').fill('not-the-password');
    await other.getByTestId('signin-submit').click();
    expect(await other.getByTestId('signin-error').textContent()).toMatch(/UNAUTHENTICATED: Invalid email or password/);

    await other.getByTestId('token-input').fill(`Bearer ${member.accessToken}`);
    await other.getByTestId('token-submit').click();
    await connected(other);
    await shows(other, '[data-testid=service-row] [data-testid=service-status][data-status]'); // any signed-in user
    expect(await other.getByTestId('system-error').textContent()).toMatch(/^FORBIDDEN: /);
    expect(await other.getByTestId('incidents-error').textContent()).toMatch(/^FORBIDDEN: /);
    // The history is the operators' too; the feed opens with the member's own bookings.
    for (const chart of ['latency', 'traffic', 'bookings']) await shows(other, `[data-testid=chart-${chart}-error]`);
    for (const chart of ['latency', 'traffic', 'bookings']) expect(await other.getByTestId(`chart-${chart}-error`).textContent()).toMatch(/^FORBIDDEN: /);
    for (const id of earlier) await shows(other, `[data-testid=booking-row][data-booking-id="${id}"]`);
    expect(await other.getByTestId('signed-in-as').textContent()).toContain('Mia Member');

    await other.getByTestId('signout').click();
    await other.getByTestId('signin-form').waitFor();
    await other.reload();
    await other.getByTestId('signin-form').waitFor(); // the token is gone from sessionStorage too
    expect(await other.getByTestId('connection-state').count()).toBe(0);
    await context.close();
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
