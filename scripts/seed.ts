// `npm run seed`: loads the demo data of scripts/lib/seed-plan.ts into a running Atrium
// (`npm start` in another terminal), through the gateway's GraphQL API like any client,
// so every event, e-mail and audit entry happens as it would for real users.
import { SingleBar, Presets } from 'cli-progress';
import { DEV_ADMIN } from './lib/service-plan';
import { createSeedClient, type SeedResponse } from './lib/seed-client';
import { DEMO_ACCOUNTS, DEMO_LOCATIONS, DEMO_PASSWORD, EXTRA_MEMBERS, planBookings } from './lib/seed-plan';
import { loadSeedEnv } from './lib/tool-env';

const { gatewayUrl: GATEWAY, graphqlUrl, admin: ADMIN } = loadSeedEnv(DEV_ADMIN);
const BOOKINGS = 36;
const CARDS = { paid: '4242424242424242', declined: '4000000000000002' };

let progress: SingleBar | undefined;
// Rate limits apply to the seed like to any client: it waits when told to (Retry-After), so
// it never spends the budget the admin needs to sign in right after it.
const gql = createSeedClient({ url: graphqlUrl, onWait: (seconds) => progress?.update({ step: `rate limited: waiting ${seconds}s` }) });

const must = (what: string, res: SeedResponse) => {
  if (res.errors?.length) throw new Error(`${what}: ${res.errors.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ')}`);
  return res.data!;
};

async function login(email: string, password: string): Promise<{ token: string; id: string }> {
  const data = must(`login ${email}`, await gql(`mutation($i: LoginInput!) { login(input: $i) { accessToken user { id } } }`, { i: { email, password } }));
  return { token: data.login.accessToken, id: data.login.user.id };
}

/** Signs a demo account in, registering it first when it does not exist yet (re-runs are fine). */
async function account(email: string, name: string) {
  const registered = await gql(`mutation($i: RegisterInput!) { register(input: $i) { accessToken user { id } } }`, { i: { email, password: DEMO_PASSWORD, name } });
  if (registered.data?.register) return { token: registered.data.register.accessToken as string, id: registered.data.register.user.id as string };
  return login(email, DEMO_PASSWORD);
}

async function main(): Promise<void> {
  try {
    await fetch(`${GATEWAY}/health`);
  } catch {
    throw new Error(`No Atrium answers at ${GATEWAY}: run \`npm start\` in another terminal first (or set GATEWAY_URL).`);
  }
  const workspacesTotal = DEMO_LOCATIONS.reduce((n, l) => n + l.workspaces.length, 0);
  const bar = new SingleBar({ format: ' {bar} {percentage}% | {value}/{total} | {step}', hideCursor: true }, Presets.shades_classic);
  progress = bar;
  bar.start(2 + EXTRA_MEMBERS.length + DEMO_LOCATIONS.length + workspacesTotal + BOOKINGS, 0, { step: 'accounts' });
  const step = (name: string) => bar.increment(1, { step: name });

  const admin = await login(ADMIN.email, ADMIN.password).catch(() => {
    throw new Error(`cannot sign in as ${ADMIN.email}: start Atrium with \`npm start\` (it creates this development admin) or set ATRIUM_ADMIN_EMAIL / ATRIUM_ADMIN_PASSWORD`);
  });
  const manager = await account(DEMO_ACCOUNTS.manager.email, DEMO_ACCOUNTS.manager.name);
  must('promote manager', await gql(`mutation($id: ID!) { setUserRoles(userId: $id, roles: [MANAGER]) { id } }`, { id: manager.id }, admin.token));
  const managerToken = (await login(DEMO_ACCOUNTS.manager.email, DEMO_PASSWORD)).token; // carries the new scopes
  step('manager');
  const members = [await account(DEMO_ACCOUNTS.member.email, DEMO_ACCOUNTS.member.name)];
  step('member');
  for (const m of EXTRA_MEMBERS) {
    members.push(await account(m.email, m.name));
    step(m.name);
  }

  const existing = must('workspaces', await gql(`{ workspaces(first: 100) { edges { node { id name } } } }`)).workspaces.edges.map((e: any) => e.node);
  const workspaceIds: string[] = [];
  for (const location of DEMO_LOCATIONS) {
    const { workspaces, ...input } = location;
    const known = workspaces.every((w) => existing.some((e: { name: string }) => e.name === w.name));
    const locationId = known
      ? null
      : must(`location ${input.name}`, await gql(`mutation($i: CreateLocationInput!) { createLocation(input: $i) { id } }`, { i: input }, managerToken)).createLocation.id;
    step(location.name);
    for (const w of workspaces) {
      const found = existing.find((e: { name: string }) => e.name === w.name);
      workspaceIds.push(
        found?.id ??
          must(
            `workspace ${w.name}`,
            await gql(
              `mutation($i: CreateWorkspaceInput!) { createWorkspace(input: $i) { id } }`,
              { i: { locationId, name: w.name, kind: w.kind, capacity: w.capacity, hourlyRate: { amount: w.rate, currency: 'EUR' }, amenities: w.amenities } },
              managerToken,
            ),
          ).createWorkspace.id,
      );
      step(w.name);
    }
  }

  let made = 0;
  for (const plan of planBookings(BOOKINGS, members.length, workspaceIds.length)) {
    const who = members[plan.member];
    let created: SeedResponse = {};
    // booking learns new workspaces from catalog's events: give it a moment.
    for (let attempt = 0; attempt < 50; attempt++) {
      created = await gql(
        `mutation($i: CreateBookingInput!, $k: String) { createBooking(input: $i, idempotencyKey: $k) { id status } }`,
        { i: { workspaceId: workspaceIds[plan.workspace], startsAt: plan.startsAt, endsAt: plan.endsAt }, k: `seed-${plan.workspace}-${plan.startsAt}` },
        who.token,
      );
      if (created.errors?.[0]?.extensions?.code !== 'NOT_FOUND') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const booking = created.data?.createBooking;
    if (booking?.status === 'PENDING_PAYMENT' && plan.fate !== 'pending') {
      const card = { number: plan.fate === 'declined' ? CARDS.declined : CARDS.paid, expMonth: 12, expYear: new Date().getFullYear() + 3, cvc: '123' };
      await gql(`mutation($i: PayForBookingInput!) { payForBooking(input: $i) { status } }`, { i: { bookingId: booking.id, card } }, who.token);
      if (plan.fate === 'cancelled') {
        await gql(`mutation($id: ID!) { cancelBooking(id: $id, reason: "demo: plans changed") { status } }`, { id: booking.id }, who.token);
      }
    }
    if (booking) made++;
    step('bookings');
  }
  bar.stop();
  console.log(`\nSeeded ${members.length + 1} accounts, ${DEMO_LOCATIONS.length} locations, ${workspaceIds.length} workspaces, ${made} bookings.`);
  console.log(`Sign in as ${DEMO_ACCOUNTS.member.email} or ${DEMO_ACCOUNTS.manager.email} (password ${DEMO_PASSWORD}), or ${ADMIN.email}.`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`\nseed failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
