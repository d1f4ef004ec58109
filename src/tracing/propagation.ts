import { context, propagation } from '@opentelemetry/api';

/** `traceparent` (and `tracestate`) of the current span, for a request we send; empty when tracing is off. */
export function traceContextHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return headers;
}
