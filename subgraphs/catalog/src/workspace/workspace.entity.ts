import { Entity, Enum, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Money } from '@atrium/kit/subgraph';
import { randomUUID } from 'node:crypto';
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Location } from '../location/location.entity';

export enum WorkspaceKind {
  DESK = 'DESK',
  MEETING_ROOM = 'MEETING_ROOM',
  PRIVATE_OFFICE = 'PRIVATE_OFFICE',
  HOTEL_ROOM = 'HOTEL_ROOM',
}
registerEnumType(WorkspaceKind, { name: 'WorkspaceKind' });

@Directive('@key(fields: "id")')
// Public catalog data, the same for every caller: shared cache entries for a minute (invalidated by catalog's events before that).
@Directive('@cacheControl(maxAge: 60, scope: PUBLIC)')
@ObjectType({ description: 'A bookable desk, meeting room, private office or hotel room.' })
@Entity({ tableName: 'workspace' })
export class Workspace {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'active' | 'description' | 'amenities' | 'hourlyRate';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Resolved by WorkspaceResolver through a per-request loader (no N+1). */
  @ManyToOne(() => Location, { ref: true, fieldName: 'location_id' })
  location!: Ref<Location>;

  @Field()
  @Property({ type: 'text' })
  name!: string;

  @Field()
  @Property({ type: 'text' })
  description: string = '';

  @Field(() => WorkspaceKind)
  @Enum({ items: () => WorkspaceKind, nativeEnumName: 'workspace_kind' })
  kind!: WorkspaceKind;

  @Field(() => Int)
  @Property({ type: 'integer' })
  capacity!: number;

  @Property({ type: 'integer' })
  hourlyRateAmount!: number;

  @Property({ type: 'character(3)', length: 3 })
  hourlyRateCurrency!: string;

  @Field(() => [String], { description: 'Lower-case tags such as "wifi", "projector".' })
  @Property({ type: 'text[]' })
  amenities: string[] = [];

  @Field({ description: 'False once archived: no longer listed or bookable.' })
  @Property({ type: 'boolean' })
  active: boolean = true;

  /** The identity user who created it. */
  @Property({ type: 'uuid' })
  createdById!: string;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Field(() => Money, { description: 'Price of one hour.' })
  get hourlyRate(): Money {
    return { amount: this.hourlyRateAmount, currency: this.hourlyRateCurrency };
  }
}
