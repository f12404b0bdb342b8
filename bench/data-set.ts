/**
 * The size of the benchmark's data set, shared by the seeding of Atrium's subgraphs
 * (bench/seed.ts) and the light subgraphs' fixed data (bench/light/data.ts), so that the
 * queries get the same shaped answers from both.
 */
export const MEMBERS = 20;
export const WORKSPACES = 20;
export const MEMBER_BOOKINGS = 50;
