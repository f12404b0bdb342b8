import { Money } from '@atrium/kit/subgraph';
import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'How one workspace was used in a time window.' })
export class WorkspaceStats {
  /** The workspace (matches loader rows back to their key; not a GraphQL field). */
  id!: string;

  @Field(() => Date)
  from!: Date;

  @Field(() => Date)
  to!: Date;

  @Field(() => Int, { description: 'Bookings whose time range overlaps the window, whatever their status' })
  bookings!: number;

  @Field(() => Float, { description: 'Hours of confirmed or completed bookings inside the window' })
  confirmedHours!: number;

  @Field(() => Float, { description: 'confirmedHours / hours in the window, from 0 to 1' })
  occupancy!: number;

  @Field(() => [Money], { description: 'Payments received minus refunds made in the window, for its bookings, per currency' })
  revenue!: Money[];
}
