// OpenTelemetry's standard variables, parsed with the rest of the configuration (src/config/)
// so a bad value stops startup naming it. Unlike the OTel SDKs, tracing is off unless an
// exporter or an endpoint is named: an operator who never heard of it pays nothing.
import { z } from 'zod';

const optional = z
  .string()
  .optional()
  .transform((v) => (v === '' || v === undefined ? undefined : v));

const url = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
  .optional()
  .or(z.literal('').transform(() => undefined));

/** `key=value,key=value` (OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS), values URL-encoded. */
const keyValues = optional.transform((v, ctx) => {
  const pairs: Record<string, string> = {};
  for (const part of (v ?? '').split(',').filter((p) => p.trim() !== '')) {
    const at = part.indexOf('=');
    if (at <= 0) {
      ctx.addIssue({ code: 'custom', message: 'expected key=value pairs separated by commas' });
      return z.NEVER;
    }
    try {
      pairs[part.slice(0, at).trim()] = decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      ctx.addIssue({ code: 'custom', message: 'a value is not valid URL encoding' });
      return z.NEVER;
    }
  }
  return pairs;
});

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

export const tracingEnv = {
  /** `true` switches tracing off whatever else is set (the OTel specification's kill switch). */
  OTEL_SDK_DISABLED: z.enum(['true', 'false', '']).optional(),
  /** `otlp`, `zipkin`, `console` or `none`; unset: `otlp` when an OTLP endpoint is set, else `none`. */
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'zipkin', 'console', 'none', '']).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: url,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url,
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json', '']).optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.enum(['http/protobuf', 'http/json', '']).optional(),
  OTEL_EXPORTER_OTLP_HEADERS: keyValues,
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: keyValues,
  OTEL_EXPORTER_OTLP_TIMEOUT: z.coerce.number().int().min(1).max(600_000).optional(),
  OTEL_EXPORTER_ZIPKIN_ENDPOINT: url,
  OTEL_SERVICE_NAME: optional,
  OTEL_RESOURCE_ATTRIBUTES: keyValues,
  OTEL_TRACES_SAMPLER: z.enum([...SAMPLERS, '']).optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
};

type TracingEnv = z.infer<z.ZodObject<typeof tracingEnv>>;

export type TracesExporter = 'otlp' | 'zipkin' | 'console';

export interface TracingConfig {
  /** Undefined: tracing is off (no SDK, no interceptors, no span anywhere). */
  exporter?: TracesExporter;
  serviceName: string;
  resourceAttributes: Record<string, string>;
  otlp: { url: string; protocol: 'http/protobuf' | 'http/json'; headers: Record<string, string>; timeoutMs: number };
  zipkinUrl: string;
  sampler: { name: (typeof SAMPLERS)[number]; ratio: number };
}

/** OTLP over HTTP appends the signal's path to the base endpoint, not to a per-signal one (the specification's rule). */
function otlpUrl(e: TracingEnv): string {
  if (e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = e.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4318';
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

export function tracingSettings(e: TracingEnv): TracingConfig {
  const named = e.OTEL_TRACES_EXPORTER || undefined;
  const endpoint = e.OTEL_EXPORTER_OTLP_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const chosen = named ?? (endpoint ? 'otlp' : 'none');
  return {
    exporter: e.OTEL_SDK_DISABLED === 'true' || chosen === 'none' ? undefined : chosen,
    serviceName: e.OTEL_SERVICE_NAME ?? e.OTEL_RESOURCE_ATTRIBUTES?.['service.name'] ?? 'countersign',
    resourceAttributes: e.OTEL_RESOURCE_ATTRIBUTES ?? {},
    otlp: {
      url: otlpUrl(e),
      protocol: e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || e.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf',
      headers: { ...e.OTEL_EXPORTER_OTLP_HEADERS, ...e.OTEL_EXPORTER_OTLP_TRACES_HEADERS },
      timeoutMs: e.OTEL_EXPORTER_OTLP_TIMEOUT ?? 10_000,
    },
    zipkinUrl: e.OTEL_EXPORTER_ZIPKIN_ENDPOINT ?? 'http://localhost:9411/api/v2/spans',
    sampler: { name: e.OTEL_TRACES_SAMPLER || 'parentbased_always_on', ratio: e.OTEL_TRACES_SAMPLER_ARG ?? 1 },
  };
}
