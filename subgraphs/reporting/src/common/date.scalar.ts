/**
 * `Date`: a calendar day `YYYY-MM-DD` (a UTC day in reporting), held as that string in
 * resolvers. Defined in kit with the other scalars, so a refused value is BAD_USER_INPUT
 * naming the argument like any other bad input.
 */
export { DateScalar } from '@atrium/kit/subgraph';
