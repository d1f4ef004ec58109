// Temporal's OpenTelemetry interceptors, wired the same way into every client and worker.
import type { ClientInterceptors } from '@temporalio/client';
/* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
import type { WorkerOptions } from '@temporalio/worker';
import type { TracingConfig } from './config';
import { startTracing, type Tracing } from './provider';

const otel = () =>
  require('@temporalio/interceptors-opentelemetry') as typeof import('@temporalio/interceptors-opentelemetry');

/**
 * The workflow-side interceptors, always in the bundle: a prebuilt bundle cannot know whether
 * the worker that loads it traces. They trace only what arrives with a trace context.
 */
export const WORKFLOW_TRACING_MODULE = require.resolve('../workflows/tracing-interceptors');

/** The process's tracing for this configuration, started on first use; undefined when off. */
export function tracingFor(config: { tracing: TracingConfig }): Tracing | undefined {
  return startTracing(config.tracing);
}

/** Undefined when off: a client without them adds no header to what it sends. */
export function tracingClientInterceptors(tracing: Tracing | undefined): ClientInterceptors | undefined {
  return tracing ? { workflow: [new (otel().OpenTelemetryWorkflowClientInterceptor)()] } : undefined;
}

/**
 * Activity spans, and the sink that workflow spans leave the sandbox by. The sink is there
 * when tracing is off too: a workflow signalled by a tracing client (another process) would
 * otherwise log an error for each span it ends.
 */
export function tracingWorkerOptions(tracing: Tracing | undefined): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  if (!tracing) return { sinks: { exporter: { export: { fn: () => undefined } } } };
  const { makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } =
    otel();
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
