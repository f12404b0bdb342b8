import { html, nothing, type TemplateResult } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import type { Incident, ServiceStatus, SystemHealth } from './operations';
import { FEED_LIMIT, type ConnectionState, type FeedRow, type State } from './state';

export interface Actions {
  signIn(email: string, password: string, totp: string | null): void;
  useToken(text: string): void;
  signOut(): void;
}

// Colour is never the only signal: every badge also says its status in words.
const badge = (status: string, testid: string) =>
  html`<span class="badge s-${status.toLowerCase()}" data-testid=${testid} data-status=${status}>${status.replace(/_/g, ' ')}</span>`;

const time = (iso: string | Date | null) => (iso ? new Date(iso).toLocaleTimeString() : '—');
const dateTime = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const ms = (value: number | null) => (value === null ? '—' : `${value} ms`);

/** "4 min" since `iso`: how long an incident has been open. */
function since(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

const CONNECTION_LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

const sectionError = (message: string | undefined, testid: string) =>
  message ? html`<p class="error" role="alert" data-testid=${testid}>${message}</p>` : nothing;

function formValues(event: SubmitEvent): FormData {
  event.preventDefault();
  return new FormData(event.currentTarget as HTMLFormElement);
}

function signInView(s: State, a: Actions): TemplateResult {
  const submit = (e: SubmitEvent) => {
    const f = formValues(e);
    a.signIn(String(f.get('email')), String(f.get('password')), f.has('totp') ? String(f.get('totp')) : null);
  };
  const paste = (e: SubmitEvent) => a.useToken(String(formValues(e).get('token')));
  return html`
    <main class="signin">
      <h1>Atrium operations</h1>
      ${s.signIn.error ? html`<p class="error" role="alert" data-testid="signin-error">${s.signIn.error}</p>` : nothing}
      <form data-testid="signin-form" @submit=${submit}>
        <h2>Sign in</h2>
        <label>E-mail <input name="email" type="email" autocomplete="username" required data-testid="signin-email" /></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required data-testid="signin-password" /></label>
        ${s.signIn.needTotp
          ? html`<label>One-time code <input name="totp" inputmode="numeric" autocomplete="one-time-code" required data-testid="signin-totp" /></label>`
          : nothing}
        <button type="submit" ?disabled=${s.signIn.busy} data-testid="signin-submit">${s.signIn.busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
      <form data-testid="token-form" @submit=${paste}>
        <h2>Or paste an access token</h2>
        <label>Access token <textarea name="token" rows="3" required spellcheck="false" data-testid="token-input"></textarea></label>
        <button type="submit" data-testid="token-submit">Use this token</button>
      </form>
    </main>`;
}

const servicesTable = (services: readonly ServiceStatus[]) => html`
  <table data-testid="services-table">
    <thead><tr><th scope="col">Service</th><th scope="col">Status</th><th scope="col">Latency</th><th scope="col">Last check</th><th scope="col">Since</th><th scope="col">Reason</th></tr></thead>
    <tbody>
      ${repeat(services, (s) => s.name, (s) => html`
        <tr data-testid="service-row" data-service=${s.name}>
          <th scope="row">${s.name}</th>
          <td>${badge(s.status, 'service-status')}</td>
          <td class="num">${ms(s.latencyMs)}</td>
          <td>${time(s.checkedAt)}</td>
          <td>${time(s.changedAt)}</td>
          <td>${s.reason ?? ''}</td>
        </tr>`)}
      ${services.length === 0 ? html`<tr><td colspan="6" class="empty">Waiting for the health monitor…</td></tr>` : nothing}
    </tbody>
  </table>`;

function systemView(h: SystemHealth): TemplateResult {
  const dependency = (name: string, testid: string, d: SystemHealth['redis']) =>
    html`<tr><th scope="row">${name}</th><td>${badge(d.status, testid)}</td><td class="num">${ms(d.latencyMs)}</td></tr>`;
  return html`
    <p>Overall: ${badge(h.status, 'system-status')}</p>
    <div class="grid">
      <table>
        <caption>Dependencies</caption>
        <thead><tr><th scope="col">Dependency</th><th scope="col">Status</th><th scope="col">Latency</th></tr></thead>
        <tbody>${dependency('Redis', 'redis-status', h.redis)}${dependency('PostgreSQL', 'postgres-status', h.postgres)}</tbody>
      </table>
      <table data-testid="event-stream">
        <caption>Event stream: ${h.eventStream.length} entries,
          <span class=${h.eventStream.deadLetters > 0 ? 'alarm' : ''} data-testid="dead-letters">${h.eventStream.deadLetters} dead letters</span></caption>
        <thead><tr><th scope="col">Consumer group</th><th scope="col">Pending</th><th scope="col">Lag</th></tr></thead>
        <tbody>
          ${h.eventStream.groups.map((g) => html`<tr><th scope="row">${g.name}</th><td class="num">${g.pending}</td><td class="num">${g.lag ?? '—'}</td></tr>`)}
        </tbody>
      </table>
    </div>
    <table data-testid="queues-table">
      <caption>Job queues</caption>
      <thead><tr><th scope="col">Queue</th><th scope="col">Waiting</th><th scope="col">Active</th><th scope="col">Delayed</th><th scope="col">Failed</th><th scope="col">Completed</th></tr></thead>
      <tbody>
        ${h.queues.map((q) => html`
          <tr data-testid="queue-row" data-queue=${q.name}>
            <th scope="row">${q.name}</th><td class="num">${q.waiting}</td><td class="num">${q.active}</td><td class="num">${q.delayed}</td>
            <td class="num ${q.failed > 0 ? 'alarm' : ''}">${q.failed}</td><td class="num">${q.completed}</td>
          </tr>`)}
      </tbody>
    </table>`;
}

const incidentsTable = (incidents: readonly Incident[]) =>
  incidents.length === 0
    ? html`<p class="empty" data-testid="no-incidents">No open incidents.</p>`
    : html`
      <table data-testid="incidents-table">
        <thead><tr><th scope="col">Service</th><th scope="col">Down since</th><th scope="col">For</th><th scope="col">Reason</th></tr></thead>
        <tbody>
          ${repeat(incidents, (i) => i.id, (i) => html`
            <tr data-testid="incident-row" data-service=${i.service}>
              <th scope="row">${i.service}</th><td>${time(i.startedAt)}</td><td>${since(i.startedAt)}</td><td>${i.reason ?? ''}</td>
            </tr>`)}
        </tbody>
      </table>`;

const feedTable = (feed: readonly FeedRow[]) => html`
  <table data-testid="feed-table">
    <thead><tr><th scope="col">Updated</th><th scope="col">Status</th><th scope="col">Workspace</th><th scope="col">City</th><th scope="col">Booked by</th><th scope="col">Starts</th><th scope="col">Booking</th></tr></thead>
    <tbody>
      ${repeat(feed, (b) => b.id, (b) => html`
        <tr data-testid="booking-row" data-booking-id=${b.id} data-source=${b.source}>
          <td>${time(b.updatedAt)}</td>
          <td>${badge(b.status, 'booking-status')}</td>
          <td data-testid="booking-workspace">${b.workspace?.name ?? '—'}</td>
          <td data-testid="booking-city">${b.workspace?.location?.city ?? '—'}</td>
          <td data-testid="booking-user">${b.user?.name ?? '—'}</td>
          <td>${dateTime(b.startsAt)}</td>
          <td><code title=${b.id}>${b.id.slice(0, 8)}</code></td>
        </tr>`)}
      ${feed.length === 0 ? html`<tr><td colspan="7" class="empty">No bookings yet: new ones appear here as they are made.</td></tr>` : nothing}
    </tbody>
  </table>`;

/**
 * A chart's box: uPlot draws into the `[data-chart]` div after each render (charts.ts), which
 * lit-html leaves alone since it binds nothing inside it.
 */
const chart = (key: string, title: string, error: string | undefined, ready: boolean) => html`
  <figure class="chart">
    <figcaption>${title}</figcaption>
    ${sectionError(error, `chart-${key}-error`)}
    ${!ready && !error ? html`<p class="empty">Loading…</p>` : nothing}
    <div class="plot" data-chart=${key} data-testid=${`chart-${key}`}></div>
  </figure>`;

function historyView(s: State): TemplateResult {
  const { health, traffic, hourly } = s.history;
  return html`
    <div class="charts">
      ${chart('latency', 'Probe latency per service, last hour (ms)', s.errors.healthHistory, !!health)}
      ${chart('availability', 'Probes UP per service, last hour (%)', s.errors.healthHistory, !!health)}
      ${chart('traffic', 'Gateway requests per second and error ratio, last hour', s.errors.traffic, !!traffic)}
      ${chart('bookings', 'Bookings per hour, last 24 hours', s.errors.hourly, !!hourly)}
    </div>`;
}

function dashboardView(s: State, a: Actions): TemplateResult {
  const problem = s.connectionError ?? s.errors.general;
  return html`
    <header class="top">
      <h1>Atrium operations</h1>
      <p class="conn conn-${s.connection}" role="status" data-testid="connection-state" data-state=${s.connection}>${CONNECTION_LABELS[s.connection]}</p>
      <p class="who" data-testid="signed-in-as">${s.me ? `${s.me.name} (${s.me.roles.join(', ') || 'no role'})` : 'Signed in'}</p>
      <button type="button" @click=${() => a.signOut()} data-testid="signout">Sign out</button>
    </header>
    <main>
      ${problem ? html`<p class="error banner" role="alert" data-testid="error">${problem}</p>` : nothing}
      <section aria-labelledby="services-title">
        <h2 id="services-title">Services</h2>
        ${sectionError(s.errors.services ?? s.errors.serviceUpdates, 'services-error')} ${servicesTable(s.services)}
      </section>
      <section aria-labelledby="system-title">
        <h2 id="system-title">System health</h2>
        ${sectionError(s.errors.system, 'system-error')} ${s.system ? systemView(s.system) : nothing}
      </section>
      <section aria-labelledby="incidents-title">
        <h2 id="incidents-title">Open incidents</h2>
        ${sectionError(s.errors.incidents, 'incidents-error')} ${s.incidents ? incidentsTable(s.incidents) : nothing}
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        ${historyView(s)}
      </section>
      <section aria-labelledby="feed-title">
        <h2 id="feed-title">Bookings <small>(the latest ${FEED_LIMIT}, then live)</small></h2>
        ${sectionError(s.errors.feed, 'feed-error')} ${feedTable(s.feed)}
      </section>
    </main>
    <footer>${s.refreshedAt ? `System health refreshed at ${time(s.refreshedAt)}` : ''}</footer>`;
}

export const view = (s: State, a: Actions): TemplateResult => (s.token ? dashboardView(s, a) : signInView(s, a));
