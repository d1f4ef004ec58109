// The OTEL_* variables as docs/tracing.md describes them: off unless asked for, the
// specification's endpoint rules, a bad value stopping startup with the variable's name.
import { loadConfig } from '../../src/config';

const tracing = (env: Record<string, string>) => loadConfig({ LOG_LEVEL: 'silent', ...env }).tracing;

it('is off when nothing is set', () => {
  expect(tracing({}).exporter).toBeUndefined();
});

it('exports over OTLP/HTTP protobuf when an endpoint is set, to its /v1/traces', () => {
  expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toMatchObject({
    exporter: 'otlp',
    serviceName: 'countersign',
    otlp: { url: 'http://collector:4318/v1/traces', protocol: 'http/protobuf' },
  });
  expect(tracing({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/custom' }).otlp.url).toBe('http://c:4318/custom');
});

it('takes the service name, resource attributes, headers and sampler', () => {
  expect(
    tracing({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_SERVICE_NAME: 'countersign-eu',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,team=signing%20ops',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    }),
  ).toMatchObject({
    exporter: 'otlp',
    serviceName: 'countersign-eu',
    resourceAttributes: { 'deployment.environment': 'prod', team: 'signing ops' },
    otlp: { headers: { 'x-api-key': 'abc' } },
    sampler: { name: 'parentbased_traceidratio', ratio: 0.25 },
  });
});

it('stays off with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none, whatever the endpoint', () => {
  expect(tracing({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).exporter).toBeUndefined();
  expect(
    tracing({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).exporter,
  ).toBeUndefined();
});

it.each([
  ['OTEL_TRACES_EXPORTER', 'jaeger'],
  ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
  ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc'],
  ['OTEL_TRACES_SAMPLER_ARG', '2'],
  ['OTEL_RESOURCE_ATTRIBUTES', 'no-equals-sign'],
])('refuses %s=%s, naming it', (variable, value) => {
  expect(() => tracing({ [variable]: value })).toThrow(new RegExp(`\\n  ${variable}: `));
});

it('hides the OTLP headers (they hold credentials) when refusing them', () => {
  expect(() => tracing({ OTEL_EXPORTER_OTLP_HEADERS: 'secret-token' })).toThrow(
    /OTEL_EXPORTER_OTLP_HEADERS: .*\(value hidden\)/,
  );
});
