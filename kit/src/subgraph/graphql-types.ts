import { Directive, Field, InputType, Int, ObjectType } from 'type-graphql';
import { IsInt, IsISO4217CurrencyCode, Min } from 'class-validator';
import { GraphQLScalarType, Kind, print, type GraphQLScalarTypeConfig, type ValueNode } from 'graphql';
import { DateTimeResolver, LocalDateResolver } from 'graphql-scalars';
import { ScalarRefusal } from '../errors';

/** The value as a refusal quotes it (a variable's value or a literal): short, whatever the caller sent. */
const quote = (value: unknown, literal = false) => {
  const text = literal
    ? (value as ValueNode).kind === Kind.STRING
      ? JSON.stringify((value as { value: string }).value)
      : print(value as ValueNode)
    : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
};

/** `base` under `name`, with every parse failure turned into a `ScalarRefusal` saying what is expected. */
function refusing(base: GraphQLScalarType, config: Partial<GraphQLScalarTypeConfig<unknown, unknown>> & { name: string; expected: string }) {
  const { expected, ...rest } = config;
  const inner = base.toConfig();
  return new GraphQLScalarType({
    ...inner,
    ...rest,
    parseValue(value) {
      try {
        return inner.parseValue!(value);
      } catch {
        throw new ScalarRefusal(`must be ${expected}, got ${quote(value)}`);
      }
    },
    parseLiteral(ast, variables) {
      try {
        return inner.parseLiteral!(ast, variables);
      } catch {
        throw new ScalarRefusal(`must be ${expected}, got ${quote(ast, true)}`);
      }
    },
  });
}

/**
 * `DateTime`: an instant, RFC 3339 with an offset (`2026-11-22T09:00:00Z`), years 0000 to
 * 9999 — graphql-scalars' DateTime, whose refusals name what is expected.
 */
export const DateTimeScalar = refusing(DateTimeResolver as GraphQLScalarType, {
  name: 'DateTime',
  expected: 'an RFC 3339 date-time such as 2026-11-22T09:00:00Z',
});

/**
 * `Date`: a calendar day `YYYY-MM-DD`, held as that string in resolvers; malformed and
 * impossible days (`2026-02-30`) are refused before any resolver runs.
 */
export const DateScalar = refusing(LocalDateResolver as GraphQLScalarType, {
  name: 'Date',
  description: 'A calendar day in `YYYY-MM-DD` format, e.g. `2026-11-22` (a UTC day).',
  specifiedByURL: undefined,
  expected: 'a calendar day written YYYY-MM-DD such as 2026-11-22',
});

/**
 * Value types shared by several subgraphs. They are `@shareable` because each subgraph
 * that returns them defines them identically.
 */
@Directive('@shareable')
@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType({ description: 'An amount of money in minor units (cents) of a currency.' })
export class Money {
  @Field(() => Int, { description: 'Minor units, e.g. 1250 = 12.50' })
  amount!: number;

  @Field({ description: 'ISO 4217 code, e.g. EUR' })
  currency!: string;
}

@InputType()
export class MoneyInput {
  @Field(() => Int)
  @IsInt()
  @Min(0)
  amount!: number;

  @Field()
  @IsISO4217CurrencyCode()
  currency!: string;
}

@Directive('@shareable')
@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType()
export class PageInfo {
  // Read as properties (no type-graphql wrapper per value): plain values, never promises.
  @Field({ simple: true })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, simple: true })
  endCursor!: string | null;
}
