import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * catalog's Workspace, which booking extends with `bookings` and `availability`
 * (see WorkspaceBookingsResolver). booking knows it by key only; catalog owns its fields.
 */
@Directive('@key(fields: "id")')
@ObjectType('Workspace')
export class WorkspaceExtension {
  @Field(() => ID)
  id!: string;
}
