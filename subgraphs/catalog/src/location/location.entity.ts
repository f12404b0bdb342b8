import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

@Directive('@key(fields: "id")')
// Public catalog data, the same for every caller: shared cache entries for a minute (invalidated by catalog's events before that).
@Directive('@cacheControl(maxAge: 60, scope: PUBLIC)')
@ObjectType({ description: 'A building or site that holds workspaces.' })
@Entity({ tableName: 'location' })
export class Location {
  [OptionalProps]?: 'id' | 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ type: 'text' })
  name!: string;

  @Field()
  @Property({ type: 'text' })
  city!: string;

  @Field()
  @Property({ type: 'text' })
  address!: string;

  @Field({ description: 'IANA time zone, e.g. Europe/Paris' })
  @Property({ type: 'text' })
  timezone!: string;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
