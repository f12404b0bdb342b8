import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** identity's User, extended here with `payments`; resolved by key alone (`{ id }`). */
@Directive('@key(fields: "id")')
@ObjectType('User')
export class UserExtension {
  @Field(() => ID)
  id!: string;
}
