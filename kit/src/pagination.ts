import { Cursor } from '@mikro-orm/core';
import { Max, Min } from 'class-validator';
import { ArgsType, Field, Int, ObjectType } from 'type-graphql';
import { badInput } from './errors';
import { PageInfo } from './graphql-types';

/** `first` / `after` of every Relay-style list. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 20, description: 'Page size, 1 to 100' })
  @Min(1)
  @Max(100)
  first!: number;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page' })
  after?: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  totalCount: number;
}

type ClassType<T> = new (...args: never[]) => T;

/**
 * Declares `<Name>Connection` and `<Name>Edge` object types for `node`:
 * `@ObjectType() class WorkspaceConnection extends connectionType(Workspace, 'Workspace') {}`.
 */
export function connectionType<T>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field()
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  // Decorated so subclasses inherit its fields; never emitted itself (not reachable).
  @ObjectType()
  abstract class ConnectionBase implements Connection<T> {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'All matching items, across pages' })
    totalCount!: number;
  }
  return ConnectionBase;
}

/** Turns a MikroORM keyset-pagination `Cursor` (from `em.findByCursor`) into a connection. */
export function toConnection<T extends object>(cursor: Cursor<T>): Connection<T> {
  return {
    edges: cursor.items.map((node) => ({ cursor: cursor.from(node), node })),
    pageInfo: { hasNextPage: cursor.hasNextPage ?? false, endCursor: cursor.endCursor },
    totalCount: cursor.totalCount ?? cursor.items.length,
  };
}

/** Validates an opaque `after` cursor up front, so a forged one is BAD_USER_INPUT, not a 500. */
export function checkCursor(after: string | null | undefined): string | undefined {
  if (after == null) return undefined;
  try {
    const decoded = Cursor.decode(after);
    if (Array.isArray(decoded) && decoded.length > 0) return after;
  } catch {
    // fall through
  }
  throw badInput('after', 'is not a cursor returned by this list');
}
