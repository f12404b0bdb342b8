import type { ApolloServerPlugin } from '@apollo/server';
import { activeTraceContext, atriumTracer, failed, serverSpans, spanOf, startTelemetry, type Span, type Telemetry } from '@atrium/kit';
import type { GatewayContext } from '../context';
import type { Contribution, GatewayModule } from '../module';

/**
 * OpenTelemetry traces of the gateway (README "Tracing"), when OTEL_EXPORTER_OTLP_ENDPOINT is
 * set; otherwise it contributes nothing, and no request pays anything for it. Started by the
 * host before every other module (host.ts), so its route comes first and it closes last,
 * exporting the spans of the requests drained meanwhile.
 *
 * A traced request is a SERVER span of `/graphql` (kit's telemetry-http.ts: continuing a
 * caller's `traceparent`), named and tagged with its operation once resolved, with children:
 * `graphql.parse` and `graphql.validate` (this plugin), `gateway.authorize`
 * (execute/authorized-executor.ts), `gateway.plan` and `gateway.execute`
 * (execute/atrium-executor.ts), and under that one `fetch <subgraph>` per subgraph fetch
 * (fetch/data-source.ts), whose `traceparent` header each subgraph continues. With
 * EXECUTOR=apollo, @apollo/gateway's own spans (`gateway.plan`, `gateway.execute`,
 * `gateway.fetch`…) take the place of Atrium's plan and execute spans.
 */
export function tracing(): GatewayModule<{ telemetry: Telemetry }> {
  return {
    name: 'tracing',
    async start({ config }) {
      const telemetry = startTelemetry('gateway', config);
      const close = () => telemetry.close();
      if (!telemetry.enabled) return { telemetry, close };
      const contribution: Contribution = {
        routes: (app) => app.use('/graphql', serverSpans(telemetry)),
        plugins: [operationSpans()],
        close,
      };
      return { telemetry, ...contribution };
    },
  };
}

/** Parse and validate spans under the request's server span, and the operation on it. */
function operationSpans(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const parent = activeTraceContext();
      const server = spanOf(parent);
      // Only under an HTTP request's span: an operation run from a WebSocket starts no trace here.
      if (!server) return {};
      const child = (name: string) => atriumTracer().startSpan(name, {}, parent);
      const end = (span: Span, err?: Error) => {
        if (err) failed(span, err);
        span.end();
      };
      return {
        async parsingDidStart() {
          const span = child('graphql.parse');
          return async (err) => end(span, err);
        },
        async validationDidStart() {
          const span = child('graphql.validate');
          return async (errs) => end(span, errs?.[0]);
        },
        async didResolveOperation({ operationName, operation }) {
          if (!operation) return;
          server.setAttribute('graphql.operation.type', operation.operation);
          if (operationName) server.setAttribute('graphql.operation.name', operationName);
          server.updateName(`${operation.operation} ${operationName ?? '(anonymous)'}`);
        },
      };
    },
  };
}
