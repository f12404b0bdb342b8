import { render } from 'lit-html';
import { AuthError, clearSession, expiresAt, loadSession, login, logout, normalizeToken, refresh, saveSession, type Session } from './auth';
import { connectLive, type LiveHandlers } from './live';
import { syncCharts } from './charts';
import { initialState, mergeBookings, mergeServices, pushBooking, upsertService, type State } from './state';
import { view, type Actions } from './view';

const root = document.getElementById('app')!;
let session: Session | null = loadSession();
let state: State = initialState(session?.accessToken ?? null);
let stopLive: (() => void) | null = null;
let expiryTimer: number | undefined;
let renderQueued = false;

/** Applies a change and re-renders once per burst of changes (a snapshot brings several). */
function update(change: Partial<State> | ((s: State) => Partial<State>)): void {
  state = { ...state, ...(typeof change === 'function' ? change(state) : change) };
  if (renderQueued) return;
  renderQueued = true;
  queueMicrotask(() => {
    renderQueued = false;
    render(view(state, actions), root);
    syncCharts(root, state);
  });
}

const handlers: LiveHandlers = {
  connection: (connection, error) => update((s) => ({ connection, connectionError: error === undefined ? s.connectionError : error })),
  me: (me) => update({ me }),
  services: (list) => update((s) => ({ services: mergeServices(s.services, list) })),
  service: (status) => update((s) => ({ services: upsertService(s.services, status) })),
  // A failed re-query keeps the last figures on screen, under its error; the footer dates them.
  system: (system) => update({ system, refreshedAt: new Date() }),
  incidents: (incidents) => update({ incidents }),
  booking: (booking) => update((s) => ({ feed: pushBooking(s.feed, booking) })),
  recentBookings: (bookings) => update((s) => ({ feed: mergeBookings(s.feed, bookings, 'history') })),
  history: (part) => update((s) => ({ history: { ...s.history, ...part } })),
  error: (section, message) => update((s) => ({ errors: { ...s.errors, [section]: message ?? undefined } })),
  // A member is FORBIDDEN both for good (until a new token): asking every 5 s changes nothing.
  wantsSystem: () => !(state.errors.system?.startsWith('FORBIDDEN') && state.errors.incidents?.startsWith('FORBIDDEN')),
  wantsHistory: () => !(['healthHistory', 'hourly', 'traffic'] as const).every((section) => state.errors[section]?.startsWith('FORBIDDEN')),
};

/**
 * Connects with `next`. A refreshed token keeps what is on screen (feed, services); the
 * socket is reopened because the gateway checks the token when the connection starts.
 */
function start(next: Session, keep = false): void {
  stopLive?.();
  clearTimeout(expiryTimer);
  session = next;
  saveSession(next);
  update((s) => ({
    ...(keep ? {} : initialState(next.accessToken)),
    token: next.accessToken,
    connection: 'connecting',
    connectionError: null,
    signIn: { ...s.signIn, busy: false, error: null },
  }));
  stopLive = connectLive(next.accessToken, handlers);
  scheduleExpiry(next);
}

/** Refreshes a little before the token expires, or signs out when there is nothing to refresh with. */
function scheduleExpiry(current: Session): void {
  const exp = expiresAt(current.accessToken);
  if (!exp) return;
  const left = exp.getTime() - Date.now();
  const wait = current.refreshToken ? left - Math.min(60_000, left / 5) : left;
  expiryTimer = window.setTimeout(async () => {
    if (!current.refreshToken) return signOut('The access token expired: sign in, or paste a new one.');
    try {
      start(await refresh(current.refreshToken), true);
    } catch (err) {
      signOut(`Your session ended (${(err as Error).message}): sign in again.`);
    }
  }, Math.max(0, wait));
}

function signOut(message: string | null): void {
  stopLive?.();
  stopLive = null;
  clearTimeout(expiryTimer);
  if (session?.refreshToken) void logout(session.refreshToken);
  session = null;
  clearSession();
  update({ ...initialState(null), signIn: { busy: false, error: message, needTotp: false } });
}

const actions: Actions = {
  async signIn(email, password, totp) {
    update((s) => ({ signIn: { ...s.signIn, busy: true, error: null } }));
    try {
      start(await login(email, password, totp ?? undefined));
    } catch (err) {
      const reason = err instanceof AuthError ? err.reason : undefined;
      update((s) => ({ signIn: { busy: false, error: (err as Error).message, needTotp: s.signIn.needTotp || reason === 'MFA_REQUIRED' } }));
    }
  },
  useToken(text) {
    const token = normalizeToken(text);
    if (token) start({ accessToken: token });
    else update((s) => ({ signIn: { ...s.signIn, error: 'That is not an access token (a JWT: three parts separated by dots).' } }));
  },
  signOut: () => signOut(null),
};

if (session) start(session);
else update({});
