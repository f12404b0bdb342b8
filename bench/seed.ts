/**
 * The benchmark's known data set, loaded through Atrium's gateway like any client: an
 * admin, a manager, 20 members, three locations with 20 workspaces, and 50 paid
 * (CONFIRMED) bookings for the first member — the one whose `me { bookings }` the nested
 * query reads.
 */
import { DEMO_LOCATIONS, planBookings } from '../scripts/lib/seed-plan';
import type { SeedFacts } from './queries';
import { MEMBER_BOOKINGS, MEMBERS, WORKSPACES } from './data-set';
import { ADMIN } from './stack';

export { MEMBER_BOOKINGS, MEMBERS, WORKSPACES };
export const MEMBER_PASSWORD = 'bench-member-password';
export const CARD_OK = '4242424242424242';

export interface GraphQLResult {
  status: number;
  data?: any;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Posts one operation; never throws on a GraphQL error (HTTP errors give status and body). */
export async function gql(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphQLResult> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  try {
    return { status: res.status, ...(JSON.parse(text) as object) };
  } catch {
    return { status: res.status, errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] };
  }
}

export const describeErrors = (res: GraphQLResult) =>
  (res.errors ?? []).map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; ') || `HTTP ${res.status}`;

function must(what: string, res: GraphQLResult): any {
  if (res.errors?.length || !res.data) throw new Error(`seeding: ${what} failed: ${describeErrors(res)}`);
  return res.data;
}

/** Runs `work` over `items` with at most `limit` at a time, keeping order. */
export async function pool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i], i);
      }
    }),
  );
  return results;
}

export interface Seeded extends SeedFacts {
  /** Every member's token (index 0 is the measured member). */
  memberTokens: string[];
  managerToken: string;
  workspaceIds: string[];
}

const AUTH = 'accessToken user { id }';

async function login(url: string, email: string, password: string) {
  const data = must(`login ${email}`, await gql(url, `mutation($i: LoginInput!) { login(input: $i) { ${AUTH} } }`, { i: { email, password } }));
  return { token: data.login.accessToken as string, id: data.login.user.id as string };
}

async function register(url: string, email: string, name: string) {
  const data = must(
    `register ${email}`,
    await gql(url, `mutation($i: RegisterInput!) { register(input: $i) { ${AUTH} } }`, { i: { email, password: MEMBER_PASSWORD, name } }),
  );
  return { token: data.register.accessToken as string, id: data.register.user.id as string };
}

/** createBooking, retried while booking has not yet learnt of a just-created workspace (NOT_FOUND). */
export async function createBooking(url: string, token: string, input: { workspaceId: string; startsAt: string; endsAt: string }): Promise<GraphQLResult> {
  let res: GraphQLResult = { status: 0 };
  for (let attempt = 0; attempt < 100; attempt++) {
    res = await gql(url, `mutation($i: CreateBookingInput!) { createBooking(input: $i) { id status } }`, { i: input }, token);
    if (res.errors?.[0]?.extensions?.code !== 'NOT_FOUND') return res;
    await new Promise((r) => setTimeout(r, 100));
  }
  return res;
}

export async function payForBooking(url: string, token: string, bookingId: string, number = CARD_OK): Promise<GraphQLResult> {
  const card = { number, expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: '123' };
  return gql(url, `mutation($i: PayForBookingInput!) { payForBooking(input: $i) { id status } }`, { i: { bookingId, card } }, token);
}

/** Loads the data set; `progress` hears about each step. */
export async function seed(url: string, progress: (message: string) => void): Promise<Seeded> {
  const admin = await login(url, ADMIN.email, ADMIN.password);

  const manager = await register(url, 'manager@bench.atrium.local', 'Bench Manager');
  must('promote manager', await gql(url, `mutation($id: ID!) { setUserRoles(userId: $id, roles: [MANAGER]) { id } }`, { id: manager.id }, admin.token));
  const managerToken = (await login(url, 'manager@bench.atrium.local', MEMBER_PASSWORD)).token; // carries the new scopes

  progress(`registering ${MEMBERS} members`);
  const members = await pool(
    Array.from({ length: MEMBERS }, (_, i) => i),
    4,
    (i) => register(url, `member${i}@bench.atrium.local`, `Bench Member ${i}`),
  );

  progress(`creating ${DEMO_LOCATIONS.length} locations and ${WORKSPACES} workspaces`);
  const locationIds: string[] = [];
  for (const location of DEMO_LOCATIONS) {
    const { workspaces: _, ...input } = location;
    locationIds.push(must(`location ${input.name}`, await gql(url, `mutation($i: CreateLocationInput!) { createLocation(input: $i) { id } }`, { i: input }, managerToken)).createLocation.id);
  }
  const templates = DEMO_LOCATIONS.flatMap((location, l) => location.workspaces.map((w) => ({ ...w, locationId: locationIds[l] })));
  const workspaceIds = await pool(
    Array.from({ length: WORKSPACES }, (_, i) => i),
    4,
    async (i) => {
      const w = templates[i % templates.length];
      const input = { locationId: w.locationId, name: `${w.name} #${i + 1}`, kind: w.kind, capacity: w.capacity, hourlyRate: { amount: w.rate, currency: 'EUR' }, amenities: w.amenities };
      return must(`workspace ${input.name}`, await gql(url, `mutation($i: CreateWorkspaceInput!) { createWorkspace(input: $i) { id } }`, { i: input }, managerToken)).createWorkspace.id as string;
    },
  );

  progress(`booking and paying ${MEMBER_BOOKINGS} bookings for member0`);
  const member = members[0];
  const plans = planBookings(MEMBER_BOOKINGS, 1, WORKSPACES);
  await pool(plans, 4, async (plan) => {
    const created = await createBooking(url, member.token, { workspaceId: workspaceIds[plan.workspace], startsAt: plan.startsAt, endsAt: plan.endsAt });
    const booking = must('createBooking', created).createBooking;
    must('payForBooking', await payForBooking(url, member.token, booking.id));
  });

  // Payment confirms bookings through an event: wait until booking has them all CONFIRMED.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await gql(url, `{ me { bookings(status: CONFIRMED, first: 1) { totalCount } } }`, {}, member.token);
    const confirmed = res.data?.me?.bookings?.totalCount ?? 0;
    if (confirmed === MEMBER_BOOKINGS) break;
    if (Date.now() > deadline) throw new Error(`seeding: only ${confirmed} of ${MEMBER_BOOKINGS} bookings became CONFIRMED within 60 s (${describeErrors(res)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    memberId: member.id,
    memberToken: member.token,
    memberTokens: members.map((m) => m.token),
    adminToken: admin.token,
    managerToken,
    workspaceIds,
  };
}
