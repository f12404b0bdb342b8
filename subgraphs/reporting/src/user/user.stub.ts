import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** identity's User, known here only by its key: `ActivityLog.actor` points at it. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType()
export class User {
  @Field(() => ID)
  id!: string;
}
