/**
 * The demo data `npm run seed` loads (documented in the README): three accounts to sign in
 * with, a few more members, three locations with a dozen workspaces, and bookings in
 * every state a member can reach through the API.
 */
export const DEMO_PASSWORD = 'atrium-demo-password';

export const DEMO_ACCOUNTS = {
  manager: { email: 'manager@atrium.demo', name: 'Maya Manager' },
  member: { email: 'member@atrium.demo', name: 'Milo Member' },
} as const;

export const EXTRA_MEMBERS = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Katherine Johnson', 'Edsger Dijkstra', 'Barbara Liskov'].map((name) => ({
  name,
  email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@atrium.demo`,
}));

export interface DemoWorkspace {
  name: string;
  kind: 'DESK' | 'MEETING_ROOM' | 'PRIVATE_OFFICE' | 'HOTEL_ROOM';
  capacity: number;
  rate: number;
  amenities: string[];
}

export const DEMO_LOCATIONS: { name: string; city: string; address: string; timezone: string; workspaces: DemoWorkspace[] }[] = [
  {
    name: 'Atrium Opéra',
    city: 'Paris',
    address: '12 rue Auber, 75009 Paris',
    timezone: 'Europe/Paris',
    workspaces: [
      { name: 'Hot desk 1', kind: 'DESK', capacity: 1, rate: 800, amenities: ['wifi', 'monitor'] },
      { name: 'Hot desk 2', kind: 'DESK', capacity: 1, rate: 800, amenities: ['wifi'] },
      { name: 'Salon Garnier', kind: 'MEETING_ROOM', capacity: 10, rate: 6500, amenities: ['wifi', 'projector', 'whiteboard'] },
      { name: 'Studio 4', kind: 'PRIVATE_OFFICE', capacity: 4, rate: 4200, amenities: ['wifi', 'kitchen'] },
    ],
  },
  {
    name: 'Atrium Canal',
    city: 'Amsterdam',
    address: 'Herengracht 420, 1017 BZ Amsterdam',
    timezone: 'Europe/Amsterdam',
    workspaces: [
      { name: 'Canal desk', kind: 'DESK', capacity: 1, rate: 900, amenities: ['wifi', 'standing-desk'] },
      { name: 'Tulip room', kind: 'MEETING_ROOM', capacity: 6, rate: 4800, amenities: ['wifi', 'tv'] },
      { name: 'Loft', kind: 'PRIVATE_OFFICE', capacity: 8, rate: 7500, amenities: ['wifi', 'kitchen', 'phone-booth'] },
      { name: 'Guest room 12', kind: 'HOTEL_ROOM', capacity: 2, rate: 1500, amenities: ['wifi', 'shower'] },
    ],
  },
  {
    name: 'Atrium Shoreditch',
    city: 'London',
    address: '1 Rivington St, London EC2A 3DT',
    timezone: 'Europe/London',
    workspaces: [
      { name: 'Focus pod', kind: 'DESK', capacity: 1, rate: 1000, amenities: ['wifi', 'quiet'] },
      { name: 'Boardroom', kind: 'MEETING_ROOM', capacity: 14, rate: 9900, amenities: ['wifi', 'projector', 'video-conference'] },
      { name: 'Suite 3', kind: 'PRIVATE_OFFICE', capacity: 3, rate: 3900, amenities: ['wifi'] },
      { name: 'Guest room 7', kind: 'HOTEL_ROOM', capacity: 1, rate: 1200, amenities: ['wifi', 'shower', 'breakfast'] },
    ],
  },
];

/** What happens to each demo booking after it is created. */
export type BookingFate = 'paid' | 'pending' | 'declined' | 'cancelled';
const FATES: BookingFate[] = ['paid', 'paid', 'paid', 'pending', 'cancelled', 'declined', 'paid', 'paid'];

export interface DemoBooking {
  /** Index into the members list (0 = the demo member). */
  member: number;
  /** Index into the flattened workspace list. */
  workspace: number;
  startsAt: string;
  endsAt: string;
  fate: BookingFate;
}

/** `count` bookings spread over the next four weeks, never overlapping on a workspace. */
export function planBookings(count: number, members: number, workspaces: number, now = new Date()): DemoBooking[] {
  const day0 = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + 24 * 3600_000;
  return Array.from({ length: count }, (_, i) => {
    const workspace = i % workspaces;
    const round = Math.floor(i / workspaces); // each round is a later day: no overlap on a workspace
    const start = day0 + (round * 2 + (i % 3)) * 24 * 3600_000 + (8 + (i % 4) * 2) * 3600_000;
    const hours = 1 + (i % 3);
    return {
      member: i % members,
      workspace,
      startsAt: new Date(start).toISOString(),
      endsAt: new Date(start + hours * 3600_000).toISOString(),
      fate: FATES[i % FATES.length],
    };
  });
}
