import type { Caller } from '@atrium/kit';
import type { Request, Response } from 'express';
import type { ExecutionResult, GraphQLError } from 'graphql';
import { ErrorCode } from '../errors';
import type { Session } from './operations';

/** The caller behind an `Authorization` value (null: anonymous); throws for a token that does not verify or was revoked. */
export type SessionOf = (authorization: string | undefined) => Promise<Caller | null>;

/** The session of one HTTP request: its `Authorization` verified (throws when it does not verify), its IP. */
export async function sessionOf(identify: SessionOf, req: Request): Promise<Session> {
  const authorization = req.header('authorization') || undefined;
  return { caller: await identify(authorization), authorization, ip: req.ip, open: 0 };
}

/**
 * The session of one HTTP stream (multipart or SSE): its request's `Authorization`, verified
 * as for any HTTP request. A token that does not verify is answered here with 401 and
 * `UNAUTHENTICATED`, as Apollo Server's context would, and gives `undefined`.
 */
export async function identifyOrRefuse(identify: SessionOf, req: Request, res: Response): Promise<Session | undefined> {
  try {
    return await sessionOf(identify, req);
  } catch (err) {
    res.status(401).json({ errors: [{ message: (err as Error).message, extensions: { code: ErrorCode.UNAUTHENTICATED } }] });
    return undefined;
  }
}

/** The HTTP status Apollo Server gives a request refused with `errors` (a bad document is the client's 400). */
export function httpStatusOf(errors: readonly GraphQLError[]): number {
  const code = errors[0]?.extensions.code;
  if (code === ErrorCode.GRAPHQL_PARSE_FAILED || code === ErrorCode.GRAPHQL_VALIDATION_FAILED || code === ErrorCode.BAD_REQUEST || code === ErrorCode.OPERATION_NOT_TRUSTED) return 400;
  if (code === 'PERSISTED_QUERY_NOT_FOUND') return 200;
  if (code === ErrorCode.UNAUTHENTICATED) return 401;
  if (code === ErrorCode.TOO_MANY_SUBSCRIPTIONS) return 429;
  if (code === ErrorCode.SUBGRAPH_UNAVAILABLE) return 503;
  return 200;
}

/** Whether a subscription gave one result instead of a stream (nothing to subscribe to). */
export const isStreamEnd = (results: AsyncIterableIterator<ExecutionResult> | ExecutionResult): results is ExecutionResult => !(Symbol.asyncIterator in results);
