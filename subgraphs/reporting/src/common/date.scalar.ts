import { GraphQLScalarType } from 'graphql';
import { LocalDateResolver } from 'graphql-scalars';

/**
 * `Date`: a calendar day `YYYY-MM-DD` (a UTC day in reporting), held as that string in
 * resolvers. graphql-scalars' LocalDate under the name the API contract uses; it refuses
 * malformed and impossible dates (`2026-02-30`) before any resolver runs.
 */
export const DateScalar = new GraphQLScalarType({
  ...LocalDateResolver.toConfig(),
  name: 'Date',
  description: 'A calendar day in `YYYY-MM-DD` format, e.g. `2026-11-22` (a UTC day).',
  specifiedByURL: undefined,
});
