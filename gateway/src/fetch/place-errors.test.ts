import { parse } from 'graphql';
import { fetchFields, MAX_ERRORS_PER_FETCH, placeErrors } from './place-errors';

// Fetches as @apollo/gateway's query planner writes them: a root fetch, and an entity fetch
// whose fields hang under `_entities` per representation.
const ROOT = `query Q__catalog__0 { workspace(id: "w1") { __typename id name } locations { id } }`;
const ENTITIES = `query Q__booking__1($representations: [_Any!]!, $f: DateTime!) {
  _entities(representations: $representations) {
    ... on Workspace {
      availability(from: $f, to: "2026-02-30") { startsAt }
      bookings(first: 5) { totalCount }
    }
  }
}`;
const representations = [
  { __typename: 'Workspace', id: 'w1' },
  { __typename: 'Workspace', id: 'w2' },
];
/** Where a literal or variable sits in ENTITIES, as a GraphQL location. */
const locationOf = (text: string) => {
  const lines = ENTITIES.split('\n');
  const line = lines.findIndex((l) => l.includes(text));
  return { line: line + 1, column: lines[line].indexOf(text) + 1 };
};

describe('the fields of a subgraph fetch', () => {
  it('are its root fields, or each entity’s fields under _entities (never __typename)', () => {
    expect(fetchFields(parse(ROOT), {}).map((f) => f.path)).toEqual([['workspace'], ['locations']]);
    expect(fetchFields(parse(ENTITIES), { representations }).map((f) => f.path)).toEqual([
      ['_entities', 0, 'availability'],
      ['_entities', 0, 'bookings'],
      ['_entities', 1, 'availability'],
      ['_entities', 1, 'bookings'],
    ]);
  });

  it('follow named fragments and keep only the branch of each representation’s type', () => {
    const query = `query($representations: [_Any!]!) { _entities(representations: $representations) { ...U ... on Booking { payment { id } } } }
      fragment U on User { unreadNotificationCount notifications(first: 1) { totalCount } }`;
    expect(fetchFields(parse(query), { representations: [{ __typename: 'User', id: 'u' }, { __typename: 'Booking', id: 'b' }] }).map((f) => f.path)).toEqual([
      ['_entities', 0, 'unreadNotificationCount'],
      ['_entities', 0, 'notifications'],
      ['_entities', 1, 'payment'],
    ]);
  });
});

describe('placing the errors of a whole fetch', () => {
  const outage = { message: 'Subgraph "booking" is unavailable', extensions: { code: 'SUBGRAPH_UNAVAILABLE' } };

  it('puts an outage at every field the fetch would have provided', () => {
    expect(placeErrors(ROOT, {}, [outage])).toEqual([
      { ...outage, path: ['workspace'] },
      { ...outage, path: ['locations'] },
    ]);
  });

  it('puts a refused literal at the field that holds it, and a refused variable at the fields that use it', () => {
    const literal = { message: 'to: must be an RFC 3339 date-time', locations: [locationOf('"2026-02-30"')], extensions: { code: 'BAD_USER_INPUT', field: 'to' } };
    const variable = { message: 'f: must be an RFC 3339 date-time', locations: [locationOf('$f: DateTime!')], extensions: { code: 'BAD_USER_INPUT', field: 'f' } };
    const { locations: _l, ...literalShown } = literal;
    const { locations: _v, ...variableShown } = variable;
    expect(placeErrors(ENTITIES, { representations }, [literal, variable])).toEqual([
      { ...literalShown, path: ['_entities', 0, 'availability'] },
      { ...literalShown, path: ['_entities', 1, 'availability'] },
      { ...variableShown, path: ['_entities', 0, 'availability'] },
      { ...variableShown, path: ['_entities', 1, 'availability'] },
    ]);
  });

  it('keeps the path an error already has, and bounds what one fetch can add', () => {
    const own = { message: 'Not found', path: ['_entities', 1, 'bookings'], extensions: { code: 'NOT_FOUND' } };
    expect(placeErrors(ENTITIES, { representations }, [own])).toEqual([own]);
    const many = Array.from({ length: 200 }, (_, i) => ({ __typename: 'Workspace', id: `w${i}` }));
    expect(placeErrors(ENTITIES, { representations: many }, [outage])).toHaveLength(MAX_ERRORS_PER_FETCH);
  });
});
