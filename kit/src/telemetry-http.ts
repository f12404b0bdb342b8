import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { atriumTracer, type Telemetry } from './telemetry';

/**
 * Express middleware that makes each request a SERVER span of `telemetry`'s service,
 * continuing the caller's trace (its W3C `traceparent` header: the gateway's fetch span, for a
 * subgraph). The span is active for everything after it — body parsing, Apollo Server,
 * resolvers, SQL — and ends when the response is sent. Mount it only when `telemetry.enabled`
 * (the gateway's ops/tracing.ts and kit's subgraph HTTP module do): a service that does not
 * trace does not even pass through it.
 */
export function serverSpans(telemetry: Telemetry): RequestHandler {
  return (req, res, next) => {
    const parent = telemetry.context(propagation.extract(ROOT_CONTEXT, req.headers));
    const path = req.originalUrl.split('?')[0];
    const span = atriumTracer().startSpan(
      `${req.method} ${path}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': path, 'http.route': path, ...(req.header('x-request-id') ? { 'atrium.request_id': req.header('x-request-id') } : {}) } },
      parent,
    );
    const active = trace.setSpan(parent, span);
    // Stream events (the body's 'data'/'end', the response's 'finish') run in the context the
    // connection was opened in, not this one: bind them, or body parsing would lose the span.
    context.bind(active, req);
    context.bind(active, res);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(active, next);
  };
}
