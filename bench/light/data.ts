/**
 * The fixed data set of the light subgraphs (`npm run bench -- --light`), shaped like the
 * one bench/seed.ts loads into Atrium's real subgraphs: an admin, a manager, 20 members,
 * the three demo locations with 20 workspaces, and 50 CONFIRMED, paid bookings for the
 * first member. Deterministic (ids derive from indexes, times from a fixed day), so every
 * light subgraph process builds the same set and the benchmark knows its ids without
 * asking. Pure; unit-tested in light.test.ts.
 */
import { DEMO_LOCATIONS, planBookings } from '../../scripts/lib/seed-plan';
import { MEMBER_BOOKINGS, MEMBERS, WORKSPACES } from '../data-set';

export interface LightUser {
  id: string;
  name: string;
  email: string;
  roles: ('MEMBER' | 'MANAGER' | 'ADMIN')[];
  createdAt: string;
}

export interface LightLocation {
  id: string;
  name: string;
  city: string;
  address: string;
  timezone: string;
  createdAt: string;
}

export interface LightWorkspace {
  id: string;
  locationId: string;
  name: string;
  description: string;
  kind: 'DESK' | 'MEETING_ROOM' | 'PRIVATE_OFFICE' | 'HOTEL_ROOM';
  capacity: number;
  amenities: string[];
  active: boolean;
  hourlyRate: { amount: number; currency: string };
  createdAt: string;
  updatedAt: string;
}

export interface LightBooking {
  id: string;
  userId: string;
  workspaceId: string;
  status: 'CONFIRMED';
  startsAt: string;
  endsAt: string;
  expiresAt: string;
  confirmedAt: string;
  price: { amount: number; currency: string };
  createdAt: string;
  updatedAt: string;
}

export interface LightPayment {
  id: string;
  bookingId: string;
  userId: string;
  status: 'SUCCEEDED';
  last4: string;
  attempts: number;
  amount: { amount: number; currency: string };
  succeededAt: string;
  createdAt: string;
  updatedAt: string;
}

export interface LightData {
  users: LightUser[];
  locations: LightLocation[];
  workspaces: LightWorkspace[];
  bookings: LightBooking[];
  payments: LightPayment[];
  /** The member whose `me { bookings }` query (b) reads (the seed's member0). */
  memberId: string;
  adminId: string;
}

/** A UUID-shaped id, unique per kind and index: `00000000-0000-4000-8<kind>-<index>`. */
export function lightId(kind: 'user' | 'location' | 'workspace' | 'booking' | 'payment', index: number): string {
  const code = { user: '001', location: '002', workspace: '003', booking: '004', payment: '005' }[kind];
  return `00000000-0000-4000-8${code}-${String(index).padStart(12, '0')}`;
}

/** Bookings start after this day, far enough ahead that none is in the past. */
const DAY0 = new Date('2099-01-01T00:00:00.000Z');
const CREATED = '2026-01-01T00:00:00.000Z';

/** Builds the data set (the same on every call). */
export function lightData(): LightData {
  const admin: LightUser = { id: lightId('user', 0), name: 'Bench Admin', email: 'admin@bench.atrium.local', roles: ['ADMIN'], createdAt: CREATED };
  const manager: LightUser = { id: lightId('user', 1), name: 'Bench Manager', email: 'manager@bench.atrium.local', roles: ['MANAGER'], createdAt: CREATED };
  const members: LightUser[] = Array.from({ length: MEMBERS }, (_, i) => ({
    id: lightId('user', 2 + i),
    name: `Bench Member ${i}`,
    email: `member${i}@bench.atrium.local`,
    roles: ['MEMBER'],
    createdAt: CREATED,
  }));
  const locations: LightLocation[] = DEMO_LOCATIONS.map(({ workspaces: _, ...location }, i) => ({ id: lightId('location', i), ...location, createdAt: CREATED }));
  const templates = DEMO_LOCATIONS.flatMap((location, l) => location.workspaces.map((w) => ({ ...w, locationId: locations[l].id })));
  const workspaces: LightWorkspace[] = Array.from({ length: WORKSPACES }, (_, i) => {
    const w = templates[i % templates.length];
    return {
      id: lightId('workspace', i),
      locationId: w.locationId,
      name: `${w.name} #${i + 1}`,
      description: '',
      kind: w.kind,
      capacity: w.capacity,
      amenities: w.amenities,
      active: true,
      hourlyRate: { amount: w.rate, currency: 'EUR' },
      createdAt: CREATED,
      updatedAt: CREATED,
    };
  });
  const member = members[0];
  const plans = planBookings(MEMBER_BOOKINGS, 1, WORKSPACES, DAY0);
  const bookings: LightBooking[] = plans.map((plan, i) => {
    const hours = (Date.parse(plan.endsAt) - Date.parse(plan.startsAt)) / 3600_000;
    return {
      id: lightId('booking', i),
      userId: member.id,
      workspaceId: workspaces[plan.workspace].id,
      status: 'CONFIRMED',
      startsAt: plan.startsAt,
      endsAt: plan.endsAt,
      expiresAt: CREATED,
      confirmedAt: CREATED,
      price: { amount: Math.round(workspaces[plan.workspace].hourlyRate.amount * hours), currency: 'EUR' },
      createdAt: CREATED,
      updatedAt: CREATED,
    };
  });
  // Latest start first, as booking lists a user's bookings.
  bookings.sort((a, b) => b.startsAt.localeCompare(a.startsAt));
  const payments: LightPayment[] = bookings.map((booking, i) => ({
    id: lightId('payment', i),
    bookingId: booking.id,
    userId: booking.userId,
    status: 'SUCCEEDED',
    last4: '4242',
    attempts: 1,
    amount: booking.price,
    succeededAt: CREATED,
    createdAt: CREATED,
    updatedAt: CREATED,
  }));
  return { users: [admin, manager, ...members], locations, workspaces, bookings, payments, memberId: member.id, adminId: admin.id };
}
