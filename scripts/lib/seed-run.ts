import type { SeedClient, SeedResponse } from './seed-client';
import type { SeedOperations } from './seed-operations';
import { DEMO_ACCOUNTS, DEMO_LOCATIONS, DEMO_PASSWORD, EXTRA_MEMBERS, planBookings } from './seed-plan';

export interface SeedRunOptions {
  /** Sends the seed's operations (seed-client.ts). */
  gql: SeedClient;
  /** The seed's operations, from the trusted-documents manifest (seed-operations.ts). */
  operations: SeedOperations;
  /** An administrator, to promote the demo manager. */
  admin: { email: string; password: string };
  /** How many bookings to plan. */
  bookings: number;
  /** Told how many steps there are, once, before the first. */
  onStart?: (steps: number) => void;
  /** Told each step done. */
  onStep?: (name: string) => void;
}

/** What a run loaded. */
export interface SeedSummary {
  accounts: number;
  locations: number;
  workspaces: number;
  bookings: number;
}

const CARDS = { paid: '4242424242424242', declined: '4000000000000002' };

/**
 * Loads the demo data of seed-plan.ts through the gateway, as a client: the admin promotes
 * the demo manager, who creates the locations and workspaces the members book (and pay for,
 * or cancel). Accounts, locations and workspaces that exist already are reused: re-runs are fine.
 */
export async function runSeed(options: SeedRunOptions): Promise<SeedSummary> {
  const { gql, operations: ops, admin: ADMIN } = options;
  const step = (name: string) => options.onStep?.(name);
  const must = (what: string, res: SeedResponse) => {
    if (res.errors?.length) throw new Error(`${what}: ${res.errors.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ')}`);
    return res.data!;
  };

  const login = async (email: string, password: string): Promise<{ token: string; id: string }> => {
    const data = must(`login ${email}`, await gql(ops.login, { input: { email, password } }));
    return { token: data.login.accessToken, id: data.login.user.id };
  };
  /** Signs a demo account in, registering it first when it does not exist yet. */
  const account = async (email: string, name: string) => {
    const registered = await gql(ops.register, { input: { email, password: DEMO_PASSWORD, name } });
    if (registered.data?.register) return { token: registered.data.register.accessToken as string, id: registered.data.register.user.id as string };
    return login(email, DEMO_PASSWORD);
  };

  const workspacesTotal = DEMO_LOCATIONS.reduce((n, l) => n + l.workspaces.length, 0);
  options.onStart?.(2 + EXTRA_MEMBERS.length + DEMO_LOCATIONS.length + workspacesTotal + options.bookings);

  const admin = await login(ADMIN.email, ADMIN.password).catch((err: Error) => {
    throw new Error(`cannot sign in as ${ADMIN.email} (${err.message}): start Atrium with \`npm start\` (it creates this development admin) or set ATRIUM_ADMIN_EMAIL / ATRIUM_ADMIN_PASSWORD`);
  });
  const manager = await account(DEMO_ACCOUNTS.manager.email, DEMO_ACCOUNTS.manager.name);
  must('promote manager', await gql(ops.setUserRoles, { userId: manager.id, roles: ['MANAGER'] }, admin.token));
  const managerToken = (await login(DEMO_ACCOUNTS.manager.email, DEMO_PASSWORD)).token; // carries the new scopes
  step('manager');
  const members = [await account(DEMO_ACCOUNTS.member.email, DEMO_ACCOUNTS.member.name)];
  step('member');
  for (const m of EXTRA_MEMBERS) {
    members.push(await account(m.email, m.name));
    step(m.name);
  }

  const existing: { id: string; name: string }[] = must('workspaces', await gql(ops.workspaces)).workspaces.edges.map((e: { node: { id: string; name: string } }) => e.node);
  const workspaceIds: string[] = [];
  for (const location of DEMO_LOCATIONS) {
    const { workspaces, ...input } = location;
    const known = workspaces.every((w) => existing.some((e) => e.name === w.name));
    const locationId = known ? null : must(`location ${input.name}`, await gql(ops.createLocation, { input }, managerToken)).createLocation.id;
    step(location.name);
    for (const w of workspaces) {
      const found = existing.find((e) => e.name === w.name);
      const input = { locationId, name: w.name, kind: w.kind, capacity: w.capacity, hourlyRate: { amount: w.rate, currency: 'EUR' }, amenities: w.amenities };
      workspaceIds.push(found?.id ?? must(`workspace ${w.name}`, await gql(ops.createWorkspace, { input }, managerToken)).createWorkspace.id);
      step(w.name);
    }
  }

  let made = 0;
  for (const plan of planBookings(options.bookings, members.length, workspaceIds.length)) {
    const who = members[plan.member];
    let created: SeedResponse = {};
    // booking learns new workspaces from catalog's events: give it a moment.
    for (let attempt = 0; attempt < 50; attempt++) {
      created = await gql(
        ops.createBooking,
        { input: { workspaceId: workspaceIds[plan.workspace], startsAt: plan.startsAt, endsAt: plan.endsAt }, idempotencyKey: `seed-${plan.workspace}-${plan.startsAt}` },
        who.token,
      );
      if (created.errors?.[0]?.extensions?.code !== 'NOT_FOUND') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const booking = created.data?.createBooking;
    if (booking?.status === 'PENDING_PAYMENT' && plan.fate !== 'pending') {
      const card = { number: plan.fate === 'declined' ? CARDS.declined : CARDS.paid, expMonth: 12, expYear: new Date().getFullYear() + 3, cvc: '123' };
      await gql(ops.payForBooking, { input: { bookingId: booking.id, card } }, who.token);
      if (plan.fate === 'cancelled') await gql(ops.cancelBooking, { id: booking.id, reason: 'demo: plans changed' }, who.token);
    }
    if (booking) made++;
    step('bookings');
  }
  return { accounts: members.length + 1, locations: DEMO_LOCATIONS.length, workspaces: workspaceIds.length, bookings: made };
}
