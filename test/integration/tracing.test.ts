// One callback's trace, end to end: real dev server, real worker with the bundled workflow
// interceptors, real receivers and a real application endpoint, spans kept in memory. The
// provider's `traceparent` is the parent of the receiver's span; the signal, the workflow task
// and the notification activity hang below it, and the notification carries the trace on.
import { randomBytes, randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanKind } from '@opentelemetry/api';
import type { RunningCountersignWorker } from '../../src/worker';
import { engineClient } from '../../src/temporal/engine-client';
import { startTracing, stopTracing } from '../../src/tracing/provider';
import { postJson, startApp, type RunningApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { startRecordingServer, type RecordingServer } from '../helpers/http-server';
import { signhostPostback } from '../helpers/signhost';
import { startDevServerEnv } from '../helpers/temporal';
import { registerViaApi } from '../helpers/transactions';
import { startTestWorker } from '../helpers/worker';

const SECRET = 'tracing-shared-secret';
const spans = new InMemorySpanExporter();
let env: TestWorkflowEnvironment;
let worker: RunningCountersignWorker;
let app: RunningApp;
let application: RecordingServer;

beforeAll(async () => {
  application = await startRecordingServer((_req, res) => res.writeHead(204).end());
  const config = testConfig({
    OTEL_TRACES_EXPORTER: 'console', // replaced by the in-memory exporter below
    SIGNHOST_SHARED_SECRET: SECRET,
    COUNTERSIGN_NOTIFY_URL: `${application.url}/webhooks/signatures`,
    COUNTERSIGN_NOTIFY_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
    POST_SIGNING_STEPS: JSON.stringify({ default: { onSigned: ['notifyApplication'] } }),
    LINGER_AFTER_FINAL: '1s',
  });
  startTracing(config.tracing, { spanProcessor: new SimpleSpanProcessor(spans) });
  env = await startDevServerEnv();
  worker = await startTestWorker(env, config);
  app = await startApp(config, engineClient(env.connection, config));
}, 120_000);

afterAll(async () => {
  await app?.close();
  await worker?.stop();
  await env?.teardown();
  await application?.close();
  await stopTracing();
});

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const found = probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never saw ${what}`);
}

const spansOf = (traceId: string) => spans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
const named = (trace: ReadableSpan[], pattern: RegExp) => trace.find((s) => pattern.test(s.name));

/** The span's ancestors' names, nearest first, as far as the trace goes. */
function ancestors(trace: ReadableSpan[], span: ReadableSpan): string[] {
  const byId = new Map(trace.map((s) => [s.spanContext().spanId, s]));
  const names: string[] = [];
  for (let parent = byId.get(span.parentSpanId ?? ''); parent; parent = byId.get(parent.parentSpanId ?? ''))
    names.push(parent.name);
  return names;
}

it("puts one callback's receiver, signal, workflow task and activity in one trace under the incoming traceparent", async () => {
  const id = randomUUID();
  await registerViaApi(app.url, { provider: 'signhost', externalId: id, reference: 'contract-123' });
  const traceId = randomBytes(16).toString('hex');
  const callerSpanId = randomBytes(8).toString('hex');
  const res = await postJson(`${app.url}/callbacks/signhost`, signhostPostback({ id, status: 30, secret: SECRET }), {
    traceparent: `00-${traceId}-${callerSpanId}-01`,
  });
  expect(res.status).toBe(200);

  const notification = await until('the notification', () =>
    application.requests.find((r) => r.body.includes(`signing:signhost:${id}`)),
  );
  // The workflow's span of scheduling the activity ends with the activity, in a later task.
  const trace = await until('the activity spans', () => {
    const found = spansOf(traceId);
    return named(found, /^RunActivity:notifyApplication$/) && named(found, /^StartActivity:notifyApplication$/)
      ? found
      : undefined;
  });

  // One tree: every span's parent is in the trace, but for the root, whose parent is the caller's.
  const ids = new Set(trace.map((s) => s.spanContext().spanId));
  const roots = trace.filter((s) => !ids.has(s.parentSpanId ?? ''));
  expect(roots.map((s) => [s.name, s.parentSpanId, s.kind])).toEqual([
    ['POST /callbacks/signhost', callerSpanId, SpanKind.SERVER],
  ]);

  const activity = named(trace, /^RunActivity:notifyApplication$/)!;
  expect(ancestors(trace, activity)).toEqual([
    'StartActivity:notifyApplication',
    'WorkflowTask:signingWorkflow',
    expect.stringMatching(/^Signal(WithStart)?Workflow:/),
    'POST /callbacks/signhost',
  ]);
  const handled = named(trace, /^HandleSignal:/)!;
  expect(ancestors(trace, handled).slice(0, 1)).toEqual(['WorkflowTask:signingWorkflow']);
  expect(roots[0].attributes).toMatchObject({
    'http.response.status_code': 200,
    'countersign.outcome': 'accepted',
    temporalWorkflowId: `signing:signhost:${id}`,
  });

  // The application's own spans can join: its request names the activity's span as parent.
  expect(notification.headers.traceparent).toBe(`00-${traceId}-${activity.spanContext().spanId}-01`);
});

it('keeps personal data out of every span attribute', () => {
  const everything = spans.getFinishedSpans();
  expect(everything.length).toBeGreaterThan(5);
  const text = JSON.stringify(everything.map((s) => [s.name, s.attributes, s.events, s.status]));
  // The postback's signers (names, e-mails, phone, personal message), its secret, its file.
  expect(text).not.toMatch(/John Doe|Jane Roe|example\.com|\+316|Dear |ScribbleName|%PDF/);
  expect(text).not.toContain(SECRET);
});
