/**
 * In-memory resolvers of the light subgraphs over the fixed data set (data.ts): enough of
 * each subgraph's schema to answer what the gateways ask for the benchmark's queries (a),
 * (b) and (c) — the root fields, the entity references and the fields one subgraph adds
 * to another's type — exactly as Atrium's subgraphs shape them (connections of 20 edges,
 * latest booking first…). A subgraph with nothing to answer (notification, reporting,
 * health) serves its schema with the default resolvers. Authorization is the gateway's
 * business here: the light subgraphs read the caller from the token (`me`) but never
 * verify it, unlike Atrium's own, which verify every token again.
 */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { LightBooking, LightData } from './data';

/** Who is asking: the `sub` of the bearer token, unverified. */
export interface LightContext {
  userId: string | undefined;
}

/** The subject of a JWT (`Bearer <header>.<payload>.<signature>`), read without verifying it; undefined when there is none. */
export function subjectOf(authorization: string | undefined): string | undefined {
  const payload = authorization?.startsWith('Bearer ') ? authorization.slice(7).split('.')[1] : undefined;
  if (!payload) return undefined;
  try {
    const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}

/** A cursor connection over `items` as kit's `findPage` shapes it (cursor = the item's position). */
export function connection<T>(items: readonly T[], first = 20, after?: string | null) {
  const start = after ? Number(Buffer.from(after, 'base64url').toString('utf8')) + 1 : 0;
  const page = items.slice(start, start + Math.max(0, first));
  const cursor = (i: number) => Buffer.from(String(start + i)).toString('base64url');
  return {
    edges: page.map((node, i) => ({ cursor: cursor(i), node })),
    pageInfo: { hasNextPage: start + page.length < items.length, endCursor: page.length ? cursor(page.length - 1) : null },
    totalCount: items.length,
  };
}

type PageArgs = { first?: number; after?: string | null };
type Ref = { id: string };

const byId = <T extends { id: string }>(items: readonly T[]) => new Map(items.map((item) => [item.id, item]));

/** The resolvers of subgraph `name` (as named in supergraph.yaml) over `data`; empty for a subgraph the queries never reach. */
export function lightResolvers(name: string, data: LightData): GraphQLResolverMap<LightContext> {
  const users = byId(data.users);
  const locations = byId(data.locations);
  const workspaces = byId(data.workspaces);
  const bookings = byId(data.bookings);
  const payments = byId(data.payments);
  const paymentOf = new Map(data.payments.map((p) => [p.bookingId, p]));
  const bookingsOf = (pick: (b: LightBooking) => boolean, status?: string | null) => data.bookings.filter((b) => pick(b) && (!status || b.status === status));

  switch (name) {
    case 'identity':
      return {
        Query: {
          me: (_: unknown, __: unknown, ctx: LightContext) => (ctx.userId ? users.get(ctx.userId) ?? null : null),
          user: (_: unknown, { id }: Ref) => users.get(id) ?? null,
          users: (_: unknown, { first, after }: PageArgs) => connection(data.users, first, after),
        },
        User: {
          __resolveReference: ({ id }: Ref) => users.get(id) ?? null,
          mfaEnabled: () => false,
        },
      };
    case 'catalog':
      return {
        Query: {
          locations: () => data.locations,
          workspace: (_: unknown, { id }: Ref) => workspaces.get(id) ?? null,
          workspaces: (_: unknown, { first, after }: PageArgs) => connection(data.workspaces, first, after),
        },
        Location: { __resolveReference: ({ id }: Ref) => locations.get(id) ?? null },
        Workspace: {
          __resolveReference: ({ id }: Ref) => workspaces.get(id) ?? null,
          location: (w: { locationId: string }) => locations.get(w.locationId),
          createdBy: () => null,
        },
      };
    case 'booking':
      return {
        Query: { booking: (_: unknown, { id }: Ref) => bookings.get(id) ?? null },
        Booking: {
          __resolveReference: ({ id }: Ref) => bookings.get(id) ?? null,
          workspace: (b: LightBooking) => ({ id: b.workspaceId }),
          user: (b: LightBooking) => ({ id: b.userId }),
        },
        User: {
          bookings: (u: Ref, { status, first, after }: PageArgs & { status?: string | null }) => connection(bookingsOf((b) => b.userId === u.id, status), first, after),
        },
        Workspace: {
          bookings: (w: Ref, { status, first, after }: PageArgs & { status?: string | null }) => connection(bookingsOf((b) => b.workspaceId === w.id, status), first, after),
          availability: () => [],
        },
      };
    case 'payment':
      return {
        Query: { payment: (_: unknown, { id }: Ref) => payments.get(id) ?? null },
        Payment: {
          __resolveReference: ({ id }: Ref) => payments.get(id) ?? null,
          booking: (p: { bookingId: string }) => ({ id: p.bookingId }),
          user: (p: { userId: string }) => ({ id: p.userId }),
        },
        Booking: { payment: (b: Ref) => paymentOf.get(b.id) ?? null },
        User: { payments: (u: Ref, { first, after }: PageArgs) => connection(data.payments.filter((p) => p.userId === u.id), first, after) },
      };
    default:
      return {};
  }
}
