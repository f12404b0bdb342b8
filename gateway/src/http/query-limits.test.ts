import { buildSchema, parse, validate } from 'graphql';
import { hideSuggestions } from './query-limits';

const schema = buildSchema(`
  enum Role { MEMBER MANAGER ADMIN }
  interface Node { id: ID! }
  type User implements Node { id: ID! name: String! secretName: String }
  input Filter { role: Role, name: String }
  type Query { users(role: Role, filter: Filter): [User!]! node: Node }
`);
const messages = (source: string) => validate(schema, parse(source)).map((e) => e.message);

describe('hideSuggestions', () => {
  it('removes every kind of "Did you mean" graphql-js writes, enum values included', () => {
    const leaks = [
      '{ usrs { id } }', // field
      '{ users { secretNam } }', // field on a type
      '{ users(rol: ADMIN) { id } }', // argument
      '{ users(role: ADMN) { id } }', // enum value: "Did you mean the enum value …?"
      '{ users(filter: { rol: ADMIN }) { id } }', // input field
      '{ node { name } }', // abstract type: "Did you mean to use an inline fragment on …?"
      'query($r: Rol) { users(role: $r) { id } }', // type
    ].flatMap(messages);
    expect(leaks.filter((m) => /Did you mean/.test(m))).toHaveLength(7);
    const hidden = leaks.map(hideSuggestions);
    for (const message of hidden) {
      expect(message).not.toMatch(/Did you mean|"ADMIN"|"secretName"|"Role"\?|fragment on/);
      expect(message).toMatch(/\.$/);
    }
    expect(hideSuggestions('Value "ADMN" does not exist in "Role" enum. Did you mean the enum value "ADMIN"?')).toBe('Value "ADMN" does not exist in "Role" enum.');
  });

  it('leaves messages without suggestions as they are', () => {
    expect(hideSuggestions('Cannot query field "zzz" on type "Query".')).toBe('Cannot query field "zzz" on type "Query".');
  });
});
