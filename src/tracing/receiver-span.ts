// The span a callback's trace starts with: the receiver's answer to the provider. A
// `traceparent` the provider (or a gateway in front of us) sent makes it a child of theirs.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';

/**
 * Runs `handle` inside the callback's SERVER span. Attributes name the route template and
 * the provider, never the body, the query or a header's value: they may hold personal data.
 */
export function traceCallback(
  tracer: Tracer | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  route: { template: string; provider: string },
  handle: () => Promise<void>,
): Promise<void> {
  if (!tracer) return handle();
  const parent = propagation.extract(context.active(), req.headers);
  const span = tracer.startSpan(
    `POST ${route.template}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'POST',
        'http.route': route.template,
        'countersign.provider': route.provider,
      },
    },
    parent,
  );
  return context.with(trace.setSpan(parent, span), handle).finally(() => {
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}

/** Adds to the callback's span, when there is one (tracing off: nothing to do). */
export function annotateCallback(attributes: Record<string, string>): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}
