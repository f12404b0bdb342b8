import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** catalog's Workspace, extended here with `stats` (see WorkspaceStatsResolver). */
@Directive('@key(fields: "id")')
@ObjectType('Workspace')
export class WorkspaceExtension {
  @Field(() => ID)
  id!: string;
}
