import type { ApolloServer } from '@apollo/server';
import type { Caller, Logger } from '@atrium/kit';
import { GraphQLError, OperationTypeNode, getOperationAST, parse, specifiedRules, validate, type DocumentNode, type ExecutionResult, type GraphQLFormattedError, type ValidationRule } from 'graphql';
import { createHash, randomUUID } from 'node:crypto';
import { SESSION_REVOKED_MESSAGE } from '../authenticate/revocations';
import type { GatewayContext } from '../context';
import { asGraphQLError, ErrorCode } from '../errors';
import { hideSuggestions } from '../http/query-limits';
import type { TrustedDocuments } from '../http/trusted-documents';
import type { AuthorizingGateway } from '../plan/authorizing-gateway';
import { closing, type Planned, type SubscriptionHub, type Transport } from './hub';

/**
 * What one client connection holds, whatever the transport: who is calling (a graphql-ws
 * socket learns it at connect and may renew it; an HTTP stream from its request's
 * `Authorization`), and how many subscriptions it has open.
 */
export type Session = {
  caller: Caller | null;
  authorization?: string;
  ip?: string;
  /** Subscriptions open on this connection (counted from admission, so a burst cannot slip past the limit). */
  open: number;
};

/** An operation as clients send it, over any transport. */
export interface OperationPayload {
  query?: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown> | null;
}

/** An operation that passed admission: parsed, validated, within limits. */
export interface AdmittedOperation {
  kind: OperationTypeNode;
  query: string;
  document: DocumentNode;
  operationName?: string;
  variables: Record<string, unknown>;
  requestId: string;
  /** Gives back the connection's subscription slot (once; a no-op for queries and mutations). */
  release(): void;
}

export interface OperationsOptions {
  apollo: ApolloServer<GatewayContext>;
  gateway: AuthorizingGateway;
  hub: SubscriptionHub;
  /** Whether the caller's session has been revoked since (checked for every operation on an open connection). */
  revoked(caller: Caller | null): boolean;
  log: Logger;
  /** The same limits as HTTP operations (graphql-armor rules, token limit). */
  validationRules: ValidationRule[];
  trustedDocuments?: TrustedDocuments;
  maxTokens: number;
  /** Most subscriptions open at once on one connection, and on the whole gateway. */
  perConnection: number;
  max: number;
  /** Hide "Did you mean …?" in every error sent (production), as over HTTP. */
  hideSuggestions: boolean;
}

/** The transport hooks a subscription needs: how to drop its client when it falls behind. */
export interface SubscriptionHooks {
  transport: Transport;
  drop(reason: string): void;
}

/**
 * The part of serving an operation that does not depend on the transport, shared by
 * graphql-ws (websocket.ts), Apollo's multipart HTTP subscriptions (multipart.ts) and
 * GraphQL over SSE (sse.ts): admission (trusted documents, parse with the token limit,
 * validation with graphql-armor's rules, a revoked session, an expired token, the
 * per-connection and gateway-wide subscription limits), then running it — a subscription is
 * authorized field by field, planned and handed to the hub; a query or mutation runs
 * through Apollo Server exactly as over HTTP (same plugins, limits and authorization).
 * Errors carry the codes Apollo Server gives the same failures over HTTP, so clients
 * handle one set.
 */
export class GatewayOperations {
  private readonly rules: readonly ValidationRule[];

  constructor(private readonly options: OperationsOptions) {
    this.rules = [...specifiedRules, ...options.validationRules];
  }

  get hub(): SubscriptionHub {
    return this.options.hub;
  }

  /** The API schema operations are validated against (undefined until the supergraph is loaded). */
  get schema() {
    return this.options.gateway.schema;
  }

  /** Admits `payload` for `session`, or gives the errors that refuse it. */
  admit(payload: OperationPayload, session: Session): AdmittedOperation | GraphQLError[] {
    const { gateway, trustedDocuments } = this.options;
    const schema = gateway.schema;
    if (!schema) return [new GraphQLError('The supergraph is not loaded yet', { extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE } })];
    // An id alone is filled in from the manifest; under enforce, anything not in it is refused.
    const trusted = { query: payload.query ?? '', extensions: payload.extensions };
    const untrusted = trustedDocuments?.admit(trusted);
    if (untrusted) return [untrusted];
    const query = trusted.query;
    if (!query) return [new GraphQLError('The request has no query', { extensions: { code: ErrorCode.BAD_REQUEST } })];
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: this.options.maxTokens });
    } catch (err) {
      const message = err instanceof GraphQLError ? err.message : 'Malformed query';
      return [new GraphQLError(message, { extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } })];
    }
    const errors = validate(schema, document, this.rules).map((e) => (e.extensions.code ? e : new GraphQLError(e.message, { nodes: e.nodes, extensions: { ...e.extensions, code: ErrorCode.GRAPHQL_VALIDATION_FAILED } })));
    if (errors.length > 0) return errors;
    const operationName = payload.operationName ?? undefined;
    const operation = getOperationAST(document, operationName);
    if (!operation) return [new GraphQLError('Unknown operation', { extensions: { code: ErrorCode.BAD_USER_INPUT } })];
    // The connection outlived its session: nothing more runs on it (its subscriptions were ended).
    if (this.options.revoked(session.caller)) return [new GraphQLError(SESSION_REVOKED_MESSAGE, { extensions: { code: ErrorCode.UNAUTHENTICATED } })];
    const subscription = operation.operation === OperationTypeNode.SUBSCRIPTION;
    if (subscription) {
      if (session.caller && session.caller.expiresAt.getTime() <= Date.now()) {
        return [new GraphQLError('The access token expired: subscribe again with a fresh token', { extensions: { code: ErrorCode.UNAUTHENTICATED } })];
      }
      if (session.open >= this.options.perConnection) return [tooMany(`at most ${this.options.perConnection} subscriptions per connection`)];
      if (this.options.hub.size >= this.options.max) return [tooMany('the gateway is at its subscription limit')];
      session.open++;
    }
    let counted = subscription;
    return {
      kind: operation.operation,
      query,
      document,
      operationName,
      variables: payload.variables ?? {},
      requestId: randomUUID(),
      release: () => {
        if (counted) session.open--;
        counted = false;
      },
    };
  }

  /** Runs an admitted query or mutation through Apollo Server, as over HTTP. */
  async execute(op: AdmittedOperation, session: Session): Promise<ExecutionResult> {
    const response = await this.options.apollo.executeOperation(
      { query: op.query, variables: op.variables, operationName: op.operationName },
      { contextValue: this.context(op, session) },
    );
    if (response.body.kind !== 'single') return { errors: [new GraphQLError('Incremental delivery is not supported on this transport')] };
    // Apollo Server's errors are plain objects; transports serialize GraphQLErrors with toJSON().
    const { errors, ...rest } = response.body.singleResult;
    return { ...rest, errors: errors?.map(asGraphQLError) } as ExecutionResult;
  }

  /**
   * Starts an admitted subscription: authorized field by field (refused fields come back as
   * `null` with their errors, in every event), planned, and served by the hub. Gives a
   * single result when nothing is left to subscribe to (every field refused) or it cannot
   * be planned; the slot is released when it ends, however it ends.
   */
  subscribe(op: AdmittedOperation, session: Session, hooks: SubscriptionHooks): AsyncIterableIterator<ExecutionResult> | ExecutionResult {
    const { hub, log } = this.options;
    let planned: Planned | ExecutionResult;
    try {
      planned = this.plan(op, session);
    } catch (err) {
      op.release();
      log.error({ err }, 'subscription could not be planned');
      return closing('This subscription could not be planned', ErrorCode.INTERNAL_SERVER_ERROR);
    }
    if (!('plan' in planned)) {
      op.release();
      return planned;
    }
    return hub.subscribe({
      ...planned,
      variables: op.variables,
      session,
      caller: session.caller,
      authorization: session.authorization,
      requestId: op.requestId,
      transport: hooks.transport,
      // After a supergraph update: the same operation, validated, authorized and planned again.
      replan: () => {
        if (!this.options.gateway.schema || validate(this.options.gateway.schema, op.document, this.rules).length > 0) return undefined;
        const again = this.plan(op, session);
        return 'plan' in again ? again : undefined;
      },
      drop: hooks.drop,
      closed: op.release,
    });
  }

  /**
   * Authorizes `op` field by field against the supergraph loaded now and plans it: the plan
   * and how each event's result is completed (refused fields put back as `null` with their
   * errors) — or the one result to give when every field is refused.
   */
  private plan(op: AdmittedOperation, session: Session): Planned | ExecutionResult {
    const { gateway } = this.options;
    const decision = gateway.authorizer().authorize({ document: op.document, operationName: op.operationName, variables: op.variables, caller: session.caller });
    if (decision.skipExecution) {
      const refused = decision.complete({});
      return { data: refused.data, errors: refused.errors?.map(asGraphQLError) } as ExecutionResult;
    }
    const key = `${createHash('sha256').update(op.query).digest('base64url')}:${decision.signature}`;
    return {
      plan: gateway.subscriptionPlanner.plan(decision.document, op.operationName, key),
      complete: (result) => {
        const completed = decision.complete(result as Parameters<typeof decision.complete>[0]);
        return { ...completed, errors: completed.errors?.map(asGraphQLError) } as ExecutionResult;
      },
    };
  }

  /** Errors as sent to clients: suggestions hidden in production, as Apollo Server's plugins do over HTTP. */
  formatErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
    return errors.map((e) => {
      const formatted = typeof e.toJSON === 'function' ? e.toJSON() : (e as GraphQLFormattedError);
      return this.options.hideSuggestions ? { ...formatted, message: hideSuggestions(formatted.message) } : formatted;
    });
  }

  /** A result as sent to clients (see {@link formatErrors}). */
  formatResult(result: ExecutionResult): ExecutionResult | (Omit<ExecutionResult, 'errors'> & { errors: GraphQLFormattedError[] }) {
    return result.errors?.length ? { ...result, errors: this.formatErrors(result.errors) } : result;
  }

  private context(op: AdmittedOperation, session: Session): GatewayContext {
    return { caller: session.caller, authorization: session.authorization, requestId: op.requestId, ip: session.ip };
  }
}

const tooMany = (why: string) => new GraphQLError(`Too many subscriptions: ${why}`, { extensions: { code: ErrorCode.TOO_MANY_SUBSCRIPTIONS } });
