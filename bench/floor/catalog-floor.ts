/**
 * catalog-floor: the benchmark's framework-free reference for query (a),
 * `workspaces(first: 20) { edges { node { id name capacity } } }` asked of catalog directly.
 *
 * Why it exists: the benchmark reports what Atrium's catalog subgraph (type-graphql,
 * MikroORM, Apollo Server, kit's middleware) spends in CPU per request against the cheapest
 * honest way to give the same answer from the same database on the same machine — `pg` and
 * graphql-js only — so every run says how far the subgraph is from that floor (issue 14;
 * design.md "Targets": within 2×).
 *
 * Like-for-like with catalog: the same `workspace` table of the same database, the same
 * rule (active workspaces only, as `workspaces` without a filter), the same order
 * (name, then id), the same page sizes (1 to 100, 20 by default), the same connection shape
 * and cursors. One statement per page:
 *   select id, name, capacity from workspace where active [and (name, id) > ($2, $3)]
 *   order by name, id limit first + 1
 * It serves only the fields the benchmark reads (id, name, capacity) and reads only their
 * columns; catalog's filters, other fields, federation and mutations are not here.
 */
import { GraphQLID, GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { connectionType, pageArgs, toPage } from './connection';
import { checkPageSize, decodeCursor } from './cursor';
import type { FloorContext } from './server';

interface WorkspaceRow {
  id: string;
  name: string;
  capacity: number;
}

const PAGE = 'select id, name, capacity from workspace where active order by name, id limit $1';
const PAGE_AFTER = 'select id, name, capacity from workspace where active and (name, id) > ($2, $3::uuid) order by name, id limit $1';
const COUNT = 'select count(*)::int as count from workspace where active';

const Workspace = new GraphQLObjectType<WorkspaceRow, FloorContext>({
  name: 'Workspace',
  description: 'A bookable desk, meeting room, private office or hotel room.',
  fields: {
    id: { type: new GraphQLNonNull(GraphQLID) },
    name: { type: new GraphQLNonNull(GraphQLString) },
    capacity: { type: new GraphQLNonNull(GraphQLInt) },
  },
});

const WorkspaceConnection = connectionType('Workspace', Workspace);

const keyOf = (w: WorkspaceRow) => [w.name, w.id];

/** The catalog floor's schema (resolvers read `ctx.pool`). */
export function catalogFloorSchema(): GraphQLSchema {
  return new GraphQLSchema({
    query: new GraphQLObjectType<unknown, FloorContext>({
      name: 'Query',
      fields: {
        workspaces: {
          type: new GraphQLNonNull(WorkspaceConnection),
          description: 'Active workspaces by name, then id; `first`/`after` page.',
          args: pageArgs,
          resolve: async (_root, args: { first: number; after?: string | null }, { pool }) => {
            const first = checkPageSize(args.first);
            const { rows } =
              args.after == null
                ? await pool.query<WorkspaceRow>(PAGE, [first + 1])
                : await pool.query<WorkspaceRow>(PAGE_AFTER, [first + 1, ...decodeCursor(args.after, ['text', 'uuid'])]);
            return toPage(rows, first, keyOf, async () => (await pool.query<{ count: number }>(COUNT)).rows[0].count);
          },
        },
      },
    }),
  });
}
