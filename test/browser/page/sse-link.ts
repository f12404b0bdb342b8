import { ApolloLink } from '@apollo/client';
import { print } from 'graphql';
import { createClient, type Client, type ClientOptions } from 'graphql-sse';
import { Observable } from 'rxjs';

/**
 * A terminating link over GraphQL over SSE (graphql-sse's client, distinct connections
 * mode): Apollo Client ships none, so this is the few lines graphql-sse's README gives.
 */
export class SseLink extends ApolloLink {
  readonly client: Client;

  constructor(options: ClientOptions) {
    super();
    this.client = createClient(options);
  }

  override request(operation: ApolloLink.Operation): Observable<ApolloLink.Result> {
    return new Observable((sink) =>
      this.client.subscribe<Record<string, unknown>, Record<string, unknown>>(
        { query: print(operation.query), variables: operation.variables, operationName: operation.operationName, extensions: operation.extensions },
        { next: (value) => sink.next(value as ApolloLink.Result), complete: () => sink.complete(), error: (err) => sink.error(err instanceof Error ? err : new Error(JSON.stringify(err))) },
      ),
    );
  }
}
