// The process's OpenTelemetry tracer provider, registered globally (the Temporal interceptors
// and the receivers find it through @opentelemetry/api), only when tracing is configured.
/* eslint-disable @typescript-eslint/no-require-imports -- the SDK is loaded only when tracing is on: no process pays for it otherwise */
import type { Resource } from '@opentelemetry/resources';
import type { Sampler, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { TracingConfig } from './config';

export interface Tracing {
  resource: Resource;
  /** Where spans go, the workflow sandbox's included (they reach it through a sink). */
  spanProcessor: SpanProcessor;
  provider: NodeTracerProvider;
  /** Exports what is buffered, then stops. */
  shutdown(): Promise<void>;
}

function exporterFor(config: TracingConfig): SpanExporter {
  switch (config.exporter) {
    case 'zipkin': {
      const { ZipkinExporter } =
        require('@opentelemetry/exporter-zipkin') as typeof import('@opentelemetry/exporter-zipkin');
      return new ZipkinExporter({ url: config.zipkinUrl, serviceName: config.serviceName });
    }
    case 'console':
      return new (sdk().ConsoleSpanExporter)();
    default: {
      const { url, headers, timeoutMs, protocol } = config.otlp;
      const options = { url, headers, timeoutMillis: timeoutMs };
      if (protocol === 'http/json') {
        const json =
          require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
        return new json.OTLPTraceExporter(options);
      }
      const proto =
        require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
      return new proto.OTLPTraceExporter(options);
    }
  }
}

const sdk = () => require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');

function samplerFor({ name, ratio }: TracingConfig['sampler']): Sampler {
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } = sdk();
  const root = name.endsWith('always_off')
    ? new AlwaysOffSampler()
    : name.endsWith('traceidratio')
      ? new TraceIdRatioBasedSampler(ratio)
      : new AlwaysOnSampler();
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

let current: Tracing | undefined;

/**
 * Registers the global tracer provider; undefined (and nothing registered) when tracing is off.
 * `spanProcessor` replaces the configured exporter (tests: an in-memory one). Once per process.
 */
export function startTracing(config: TracingConfig, opts: { spanProcessor?: SpanProcessor } = {}): Tracing | undefined {
  if (!config.exporter && !opts.spanProcessor) return undefined;
  if (current) return current;
  const { Resource } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { NodeTracerProvider } =
    require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { W3CTraceContextPropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const resource = Resource.default().merge(
    new Resource({ ...config.resourceAttributes, 'service.name': config.serviceName }),
  );
  const spanProcessor = opts.spanProcessor ?? new (sdk().BatchSpanProcessor)(exporterFor(config));
  const provider = new NodeTracerProvider({
    resource,
    sampler: samplerFor(config.sampler),
    spanProcessors: [spanProcessor],
  });
  // W3C trace context only: `traceparent` is what providers' gateways and the application speak.
  provider.register({ propagator: new W3CTraceContextPropagator() });
  const tracing: Tracing = { resource, spanProcessor, provider, shutdown: () => provider.shutdown() };
  current = tracing;
  return tracing;
}

/** The provider startTracing registered in this process, if any. */
export function activeTracing(): Tracing | undefined {
  return current;
}

/** Exports what is still buffered; a process calls it last when it stops. */
export async function stopTracing(): Promise<void> {
  await current?.shutdown();
}
