/**
 * The three operations every target is measured on, as each target is asked them: the
 * gateways (Atrium, stock, Hive) get the same document; the direct target (D) gets the
 * subgraph-level equivalent, and so does the floor (F) where there is one.
 */
import type { QueryId } from './args';

export type Caller = 'anonymous' | 'member' | 'admin';

/** What the seeding produced and the queries refer to. */
export interface SeedFacts {
  memberId: string;
  memberToken: string;
  adminToken: string;
}

export interface Operation {
  query: string;
  variables?: (facts: SeedFacts) => Record<string, unknown>;
  caller: Caller;
  /** Describes why `data` is not what a correct answer looks like, or null when it is. */
  check: (data: any) => string | null;
}

export interface QuerySpec {
  id: QueryId;
  label: string;
  description: string;
  /** What Atrium, stock and Hive are asked. */
  gateway: Operation;
  /** What the direct target asks, and of which subgraph. */
  direct: Operation & {
    subgraph: string;
    /** True when the direct query does only part of the gateway's work (a lower bound, not a like-for-like). */
    floor: boolean;
    note: string;
  };
  /**
   * Whether the floor (target F: bench/floor/'s framework-free reference subgraph for
   * `direct.subgraph`) answers `direct` too, so that the subgraph is measured against it.
   */
  hasFloor: boolean;
}

const edges = (connection: any): any[] | null => (Array.isArray(connection?.edges) ? connection.edges : null);

const expectEdges = (what: string, connection: any, count: number): string | null => {
  const list = edges(connection);
  if (!list) return `${what} is missing`;
  return list.length === count ? null : `${what} has ${list.length} items, expected ${count}`;
};

const WORKSPACES = `query BenchSingle { workspaces(first: 20) { edges { node { id name capacity } } } }`;

const NESTED = `query BenchNested {
  me { bookings(first: 20) { edges { node { status workspace { name location { city } } user { name } payment { status } } } } }
}`;

/** What the gateway sends booking for `me { bookings … }` (its part of the plan), asked directly. */
const NESTED_BOOKING_PART = `query BenchNestedBookingPart($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on User { bookings(first: 20) { edges { node { status workspace { id } user { id } id } } } }
  }
}`;

const AUTH = `query BenchAuth($id: ID!) {
  users(first: 20) { edges { node { id name email roles } } }
  user(id: $id) { id name email }
}`;

const checkNestedBookings = (bookings: any): string | null => {
  const problem = expectEdges('bookings', bookings, 20);
  if (problem) return problem;
  return null;
};

export const QUERY_SPECS: Record<QueryId, QuerySpec> = {
  single: {
    id: 'single',
    label: 'single subgraph',
    description: 'workspaces(first: 20) { id name capacity }: one fetch to catalog, anonymous',
    gateway: {
      query: WORKSPACES,
      caller: 'anonymous',
      check: (data) => expectEdges('workspaces', data?.workspaces, 20),
    },
    direct: {
      subgraph: 'catalog',
      query: WORKSPACES,
      caller: 'anonymous',
      floor: false,
      note: 'the same query, to catalog',
      check: (data) => expectEdges('workspaces', data?.workspaces, 20),
    },
    hasFloor: true,
  },
  nested: {
    id: 'nested',
    label: 'nested cross-subgraph',
    description:
      'me { bookings(first: 20) { status workspace { name location { city } } user { name } payment { status } } } as a member: identity → booking → catalog, identity, payment',
    gateway: {
      query: NESTED,
      caller: 'member',
      check: (data) => {
        const problem = checkNestedBookings(data?.me?.bookings);
        if (problem) return problem;
        const node = data.me.bookings.edges[0].node;
        if (!node.workspace?.location?.city || !node.user?.name || !node.payment?.status) return `incomplete booking ${JSON.stringify(node)}`;
        return null;
      },
    },
    direct: {
      subgraph: 'booking',
      query: NESTED_BOOKING_PART,
      variables: (facts) => ({ representations: [{ __typename: 'User', id: facts.memberId }] }),
      caller: 'member',
      floor: true,
      note: "booking's part only (_entities → User.bookings): a floor, not like-for-like",
      check: (data) => checkNestedBookings(data?._entities?.[0]?.bookings),
    },
    hasFloor: false,
  },
  auth: {
    id: 'auth',
    label: 'field-level auth',
    description:
      'users(first: 20) { id name email roles } + user(id) { email } as admin: @requiresScopes(users:read), @authenticated (email), @policy(self_or_admin)',
    gateway: {
      query: AUTH,
      variables: (facts) => ({ id: facts.memberId }),
      caller: 'admin',
      check: (data) => expectEdges('users', data?.users, 20) ?? (data?.user?.email ? null : 'user.email is missing'),
    },
    direct: {
      subgraph: 'identity',
      query: AUTH,
      variables: (facts) => ({ id: facts.memberId }),
      caller: 'admin',
      floor: false,
      note: 'the same query, to identity (which applies the same rules again)',
      check: (data) => expectEdges('users', data?.users, 20) ?? (data?.user?.email ? null : 'user.email is missing'),
    },
    hasFloor: true,
  },
};

export function tokenFor(caller: Caller, facts: SeedFacts): string | undefined {
  return caller === 'member' ? facts.memberToken : caller === 'admin' ? facts.adminToken : undefined;
}
