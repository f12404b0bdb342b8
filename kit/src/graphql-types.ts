import { Directive, Field, InputType, Int, ObjectType } from 'type-graphql';
import { IsInt, IsISO4217CurrencyCode, Min } from 'class-validator';

/**
 * Value types shared by several subgraphs. They are `@shareable` because each subgraph
 * that returns them defines them identically.
 */
@Directive('@shareable')
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
@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}
