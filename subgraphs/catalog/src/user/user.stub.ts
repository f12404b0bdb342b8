import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** identity's User, known here only by its key: `Workspace.createdBy` points at it. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('User')
export class UserStub {
  @Field(() => ID)
  id!: string;
}
