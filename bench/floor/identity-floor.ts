/**
 * identity-floor: the benchmark's framework-free reference for query (c),
 * `users(first: 20) { edges { node { id name email roles } } } user(id: $id) { id name email }`
 * asked of identity directly as an admin.
 *
 * Why it exists: as catalog-floor.ts, the cheapest honest implementation on the same
 * machine (`pg`, graphql-js and `jose` only), against which the benchmark reports
 * identity's CPU per request (issue 14).
 *
 * Like-for-like with identity: the same `"user"` table of the same database; the caller's
 * token verified as identity verifies it (ES256 signature against identity's published
 * keys, expiry, issuer, audience, required claims; a verified token remembered until it
 * expires, ./auth.ts); the same rules, checked where identity checks them — `users` needs
 * the `users:read` scope, `user(id)` the `self_or_admin` policy (Atrium's own policy
 * function), `email` a signed-in caller who is the user or has `users:read`, for every user
 * it is read on; the same order (created_at, then id), page sizes and connection shape.
 * One statement per root field:
 *   users: select id, name, email, roles, created_at from "user"
 *          [where (created_at, id) > ($2, $3)] order by created_at, id limit first + 1
 *   user:  select id, name, email, roles, created_at from "user" where id = $1
 *          (none for an id that is not a UUID: null, as identity)
 * It serves only the fields the benchmark reads; identity's other fields, mutations,
 * sessions, MFA and federation are not here. Identity's subgraph also refuses tokens of a
 * signing key it has withdrawn at once; the floor follows identity's published key set.
 */
import { GraphQLEnumType, GraphQLID, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { forbidden, requireCaller, requirePolicy, requireScopes, type FloorCaller } from './auth';
import { connectionType, pageArgs, toPage } from './connection';
import { checkPageSize, decodeCursor } from './cursor';
import type { FloorContext } from './server';

export interface UserRow {
  id: string;
  name: string;
  email: string;
  roles: string[];
  created_at: Date;
}

const COLUMNS = 'id, name, email, roles, created_at';
const PAGE = `select ${COLUMNS} from "user" order by created_at, id limit $1`;
const PAGE_AFTER = `select ${COLUMNS} from "user" where (created_at, id) > ($2::timestamptz, $3::uuid) order by created_at, id limit $1`;
const BY_ID = `select ${COLUMNS} from "user" where id = $1`;
const COUNT = 'select count(*)::int as count from "user"';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** identity's row rule for a user's private fields (`canReadPrivateFields`): the user themself, or `users:read`. */
export const canReadPrivateFields = (caller: FloorCaller, user: Pick<UserRow, 'id'>) => caller.userId === user.id || caller.scopes.includes('users:read');

const Role = new GraphQLEnumType({
  name: 'Role',
  values: { MEMBER: { value: 'MEMBER' }, MANAGER: { value: 'MANAGER' }, ADMIN: { value: 'ADMIN' } },
});

const User = new GraphQLObjectType<UserRow, FloorContext>({
  name: 'User',
  description: 'An Atrium account.',
  fields: {
    id: { type: new GraphQLNonNull(GraphQLID) },
    name: { type: new GraphQLNonNull(GraphQLString) },
    roles: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Role))) },
    email: {
      type: GraphQLString,
      description: 'Visible to the user themself and to callers with users:read',
      resolve: (user, _args, { caller }) => {
        // @authenticated, then identity's row rule.
        if (!canReadPrivateFields(requireCaller(caller, 'User.email'), user)) throw forbidden("Only the user themself or an admin may read a user's email");
        return user.email;
      },
    },
  },
});

const UserConnection = connectionType('User', User);

const keyOf = (u: UserRow) => [u.created_at, u.id];

/** The identity floor's schema (resolvers read `ctx.pool` and `ctx.caller`). */
export function identityFloorSchema(): GraphQLSchema {
  return new GraphQLSchema({
    query: new GraphQLObjectType<unknown, FloorContext>({
      name: 'Query',
      fields: {
        user: {
          type: User,
          description: 'A user: yourself, or anyone with users:read',
          args: { id: { type: new GraphQLNonNull(GraphQLID) } },
          resolve: async (_root, args: { id: string }, { pool, caller }) => {
            requirePolicy(caller, [['self_or_admin']], 'Query.user', args);
            if (!UUID.test(args.id)) return null;
            return (await pool.query<UserRow>(BY_ID, [args.id])).rows[0] ?? null;
          },
        },
        users: {
          type: UserConnection,
          description: 'Every user, oldest first',
          args: pageArgs,
          resolve: async (_root, args: { first: number; after?: string | null }, { pool, caller }) => {
            requireScopes(caller, [['users:read']], 'Query.users');
            const first = checkPageSize(args.first);
            const { rows } =
              args.after == null
                ? await pool.query<UserRow>(PAGE, [first + 1])
                : await pool.query<UserRow>(PAGE_AFTER, [first + 1, ...decodeCursor(args.after, ['timestamp', 'uuid'])]);
            return toPage(rows, first, keyOf, async () => (await pool.query<{ count: number }>(COUNT)).rows[0].count);
          },
        },
      },
    }),
  });
}
