// Personal data (names, CPF, e-mail addresses, phone numbers) and secrets never leave workflow
// state: callbacks of every provider carrying both run through a real stack, accepted,
// refused, before registration and after the transaction closed, and then neither appears in
// the app's logs, the worker's logs, /metrics, /operator/refused, or any workflow's search
// attributes, memo or Web UI details.
import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogEntry } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { capturingLogger } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { send, snapshot, type RawRequest } from '../helpers/http';
import {
  PII,
  PORTAL_TOKEN,
  registration,
  SECRETS,
  SPECS,
  workflowIdOf,
  type CallbackMessage,
} from '../helpers/provider-specs';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';
import { API_AUTH, registerViaApi } from '../helpers/transactions';
import { listedIds } from '../helpers/visibility';

// The worker's logs (workflow and activity loggers, SDK, native core) captured before any
// helper installs the quiet runtime.
const workerLines: string[] = [];
Runtime.install({
  logger: new DefaultLogger(
    'TRACE',
    (entry: LogEntry) => void workerLines.push(`${entry.message} ${JSON.stringify(entry.meta ?? {})}`),
  ),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'INFO' }), forward: {} } },
});

const FORBIDDEN: Array<[string, string]> = [
  ['name', PII.name],
  ['CPF', PII.cpf],
  ['CPF digits', PII.cpfDigits],
  ['e-mail', PII.email],
  ...PII.signhostNames.map((n): [string, string] => ['Signhost signer name', n]),
  ...PII.signhostEmails.map((e): [string, string] => ['Signhost signer e-mail', e]),
  ['phone', PII.phone],
  ...Object.entries(SECRETS).map(([k, v]): [string, string] => [k, v]),
  ['Portal de Assinaturas header value', PORTAL_TOKEN],
];

const appLogs = capturingLogger('trace');
const config = testConfig({ ...SECRETS, LINGER_AFTER_FINAL: '1s' });
let env: TestWorkflowEnvironment;
let stack: Stack;
const workflowIds = new Set<string>();

beforeAll(async () => {
  env = await startDevServerEnv();
  stack = await startStack(env, config, undefined, appLogs.logger);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

const json = (m: CallbackMessage, body: unknown = m.body): RawRequest => ({
  path: m.path,
  headers: { 'content-type': 'application/json', ...m.headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const api = { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.COUNTERSIGN_API_TOKEN}` };

function expectClean(where: string, text: string) {
  for (const [what, value] of FORBIDDEN) {
    expect({ where, what, found: text.includes(value) }).toEqual({ where, what, found: false });
  }
}

/** Everything the Temporal side shows about a workflow outside its state. */
async function visibleOutside(workflowId: string): Promise<string> {
  const handle = env.client.workflow.getHandle(workflowId);
  const desc = await handle.describe();
  const raw = desc.raw.workflowExecutionInfo?.searchAttributes?.indexedFields ?? {};
  const decoded = Object.entries(raw).map(([k, p]) => `${k}=${Buffer.from(p.data ?? []).toString('utf8')}`);
  const metadata = desc.status.name === 'RUNNING' ? await handle.query('__temporal_workflow_metadata') : undefined;
  return JSON.stringify({ typed: desc.typedSearchAttributes.getAll(), decoded, memo: desc.memo ?? null, metadata });
}

it('keeps personal data and secrets out of logs, metrics, refusals, search attributes, memo and details', async () => {
  for (const spec of SPECS) {
    const id = uniqueId('pii');
    workflowIds.add(
      await registerViaApi(stack.app.url, registration(spec, id, { reference: `order-${id}` }), API_AUTH),
    );
    const valid = spec.valid(id);
    // Accepted: progress, then the final callback, then a duplicate.
    for (const m of [spec.progress(id, 1), valid, valid]) expect((await send(stack.app.url, json(m))).status).toBe(200);
    // Refused, each carrying the personal data: malformed, invalid, unauthenticated.
    const refused = [
      json(valid, `${JSON.stringify(valid.body)},`),
      json(valid, { ...valid.body, [spec.statusField]: { holder: PII.name, cpf: PII.cpf, email: PII.email } }),
      ...(spec.credentialHeaders.length
        ? [
            {
              ...json(valid),
              headers: { 'content-type': 'application/json', [spec.credentialHeaders[0]]: `${PII.email} ${PII.cpf}` },
            },
          ]
        : []),
    ];
    for (const r of refused)
      expect([spec.provider === 'signhost' ? 200 : 400, 401]).toContain((await send(stack.app.url, r)).status);

    if (spec.authenticated) {
      // Before registration: an unregistered workflow, created from personal data.
      const early = uniqueId('pii-early');
      expect((await send(stack.app.url, json(spec.progress(early, 2)))).status).toBe(200);
      workflowIds.add(workflowIdOf(spec, early));
    }
    const { state } = await snapshot(env.client, workflowIdOf(spec, id));
    expect(state.status).toBe(spec.finalStatus);
  }

  // After the end: a late callback about a closed transaction, carrying personal data.
  const portal = SPECS.find((s) => s.provider === 'portal-de-assinaturas' && s.kind === 'signing')!;
  const closed = uniqueId('pii-late');
  workflowIds.add(
    await registerViaApi(stack.app.url, registration(portal, closed, { reference: `order-${closed}` }), API_AUTH),
  );
  const final = portal.valid(closed);
  expect((await send(stack.app.url, json(final))).status).toBe(200);
  await env.client.workflow.getHandle(workflowIdOf(portal, closed)).result();
  const late = {
    ...final,
    body: { ...final.body, action: 'SIGNATURE-DIGITAL', identifier: '111.444.777-35', name: PII.name },
  };
  expect((await send(stack.app.url, json(late))).status).toBe(200);
  const lateIds = await listedIds(
    env.client,
    `WorkflowType = 'lateCallbackWorkflow' AND SigningExternalId = '${closed}'`,
  );
  expect(lateIds).toHaveLength(1);

  // The captures are not empty, so a clean result means something.
  expect(appLogs.text()).toContain('callback accepted');
  expect(appLogs.text()).toContain('callback refused');
  expect(appLogs.text()).toContain('late callback recorded');
  expect(workerLines.length).toBeGreaterThan(0);

  expectClean('app logs', appLogs.text());
  expectClean('worker logs', workerLines.join('\n'));
  const metrics = await (
    await fetch(`${stack.app.url}/metrics`, { headers: { authorization: api.authorization } })
  ).text();
  expect(metrics).toContain('countersign_callbacks_accepted_total');
  expectClean('/metrics', metrics);
  for (const id of workflowIds) expect(metrics).not.toContain(id.split(':').at(-1));
  const refusedList = await (await fetch(`${stack.app.url}/operator/refused`, { headers: api })).text();
  expect((JSON.parse(refusedList) as { refused: unknown[] }).refused.length).toBeGreaterThan(0);
  expectClean('/operator/refused', refusedList);
  for (const id of [...workflowIds, ...lateIds]) {
    expectClean(`workflow id ${id}`, id);
    expectClean(`search attributes, memo and details of ${id}`, await visibleOutside(id));
  }
});
