import { diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';
import { ManifestUsage } from './schema-diff-usage';

/** The schema with some of its text replaced (none: the schema before the changes). */
const AFTER = (replace: Record<string, string> = {}) => {
  let sdl = `
  interface Node { id: ID! }
  type User implements Node { id: ID! name: String! email: String role: Role }
  type Room implements Node { id: ID! size: Int }
  enum Role { MEMBER ADMIN }
  enum Kind { DESK ROOM }
  input Period { from: String!, to: String, zone: Zone }
  input Zone { name: String }
  type Query {
    node(id: ID!): Node
    users(first: Int, role: Role): [User!]!
    rooms(period: Period, kind: Kind): [Room!]!
    legacy: String
  }`;
  for (const [from, to] of Object.entries(replace)) sdl = sdl.replace(from, to);
  return sdl;
};

const BEFORE = buildSchema(AFTER());

const OPERATIONS = [
  { name: 'Users', body: 'query Users($first: Int) { users(first: $first) { id name role } }' },
  { name: 'Rooms', body: 'query Rooms($p: Period) { rooms(period: $p) { size } }' },
  { name: 'AnyNode', body: 'query AnyNode { node(id: "1") { id ... on Room { size } } }' },
];

/** The operations each change of `after` (against BEFORE) reaches, by the change's path. */
async function reached(after: string): Promise<Record<string, string[]>> {
  const usage = new ManifestUsage(OPERATIONS, BEFORE);
  const changes = await diff(BEFORE, buildSchema(after));
  return Object.fromEntries(changes.map((c) => [c.path ?? c.message, usage.operationsReachedBy(c)]));
}

describe('ManifestUsage', () => {
  it('reaches an operation through the fields it selects, not their siblings', async () => {
    expect(await reached(AFTER({ 'name: String! email: String': 'email: String', 'legacy: String': '' }))).toEqual({ 'User.name': ['Users'], 'Query.legacy': [] });
    expect(await reached(AFTER({ 'email: String role': 'role' }))).toEqual({ 'User.email': [] });
  });

  it('reaches it through an interface field selected on the interface, and a type selected in a fragment', async () => {
    expect(await reached(AFTER({ 'type Room implements Node { id: ID! size: Int }': 'type Room implements Node { id: ID }' }))).toEqual({
      'Room.id': ['AnyNode'],
      'Room.size': ['Rooms', 'AnyNode'],
    });
  });

  it('reaches it through the values of an enum it reads, and the fields of an input type it sends, nested ones included', async () => {
    expect(await reached(AFTER({ 'enum Role { MEMBER ADMIN }': 'enum Role { MEMBER }', 'enum Kind { DESK ROOM }': 'enum Kind { DESK }' }))).toEqual({
      'Role.ADMIN': ['Users'],
      'Kind.ROOM': [],
    });
    expect(await reached(AFTER({ 'input Zone { name: String }': 'input Zone { name: String, code: String! }' }))).toEqual({ 'Zone.code': ['Rooms'] });
  });

  it('reaches it through an argument it passes, or through any new required argument of a field it selects', async () => {
    expect(await reached(AFTER({ 'users(first: Int, role: Role)': 'users(role: Role)' }))).toEqual({ 'Query.users.first': ['Users'] });
    expect(await reached(AFTER({ 'users(first: Int, role: Role)': 'users(first: Int)' }))).toEqual({ 'Query.users.role': [] });
    expect(await reached(AFTER({ 'rooms(period: Period, kind: Kind)': 'rooms(period: Period, kind: Kind, site: ID!)' }))).toEqual({ 'Query.rooms.site': ['Rooms'] });
  });
});
