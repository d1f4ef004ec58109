// Nothing accepted is lost at a transaction's edges: a callback answered 2xx after the
// unregistered run closed on its TTL is applied when the application registers, with no
// operator; a retry of any callback a closed transaction already applied is a duplicate, not
// a late record. Real dev server, real worker, real HTTP over loopback.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TransactionState } from '../../src/common/types';
import { LATE_QUERY } from '../../src/temporal/operator';
import { postJson } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { eventually } from '../helpers/http';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';
import { registerViaApi, readTransaction } from '../helpers/transactions';
import { signhostPostback } from '../helpers/signhost';

const SECRET = 'signhost-shared-secret-for-lifecycle';

let env: TestWorkflowEnvironment;
let stack: Stack;

beforeAll(async () => {
  env = await startDevServerEnv();
  stack = await startStack(
    env,
    testConfig({ UNREGISTERED_TTL: '3s', LINGER_AFTER_FINAL: '1s', SIGNHOST_SHARED_SECRET: SECRET }),
  );
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

const workflowId = (id: string) => (id.startsWith('ttl') ? `signing:signhost:${id}` : `signing:evrotrust:${id}`);
/** Signhost proves its postbacks (a checksum), so one may start a transaction not yet registered. */
const postback = async (id: string, status: number) => {
  const res = await postJson(`${stack.app.url}/callbacks/signhost`, signhostPostback({ id, status, secret: SECRET }));
  expect(res.status).toBe(200);
};
const callback = async (id: string, status: number) => {
  const res = await postJson(`${stack.app.url}/callbacks/evrotrust/document/ready`, { transactionID: id, status });
  expect(res.status).toBe(200);
};
function state(id: string): Promise<TransactionState> {
  return readTransaction(`${stack.app.url}/transactions/${workflowId(id)}`);
}
const closed = (id: string): Promise<TransactionState> =>
  env.client.workflow.getHandle(workflowId(id)).result() as Promise<TransactionState>;
async function lateRecords(id: string): Promise<string[]> {
  const out: string[] = [];
  for await (const wf of env.client.workflow.list({ query: `${LATE_QUERY} AND SigningExternalId = '${id}'` }))
    out.push(wf.workflowId);
  return out;
}

it('applies a signed callback accepted after the unregistered run closed, once the application registers', async () => {
  const id = uniqueId('ttl-late');
  await postback(id, 20);
  expect((await closed(id)).status).toBe('unregistered');
  // Accepted (answered 200) after the close: kept as a late record for now.
  await postback(id, 30);
  await eventually(async () => expect(await lateRecords(id)).toHaveLength(1));
  await registerViaApi(stack.app.url, { provider: 'signhost', externalId: id, reference: 'order-ttl' });
  const s = await eventually(async () => {
    const st = await state(id);
    expect(st.status).toBe('signed');
    return st;
  });
  expect(s.registered).toBe(true);
  expect(s.events.filter((e) => e.status !== undefined).map((e) => [e.status, e.applied])).toEqual(
    expect.arrayContaining([
      ['in_progress', true],
      ['signed', true],
    ]),
  );
});

it('creates no late record when every callback of a closed transaction is sent again', async () => {
  const id = uniqueId('resend');
  await registerViaApi(stack.app.url, { provider: 'evrotrust', externalId: id });
  // More facts than a closed run's result lists (it keeps the decisive and the last ten),
  // each a status code outside Evrotrust's documented ones, then the final one.
  const codes = [...Array.from({ length: 15 }, (_, i) => 100 + i), 2];
  for (const code of codes) await callback(id, code);
  const result = await closed(id);
  expect(result.status).toBe('signed');
  expect(result.events.length).toBeLessThan(codes.length);
  for (const code of codes) await callback(id, code);
  expect(await lateRecords(id)).toEqual([]);
  // A callback the transaction never had is still kept.
  await callback(id, 3);
  await eventually(async () => expect(await lateRecords(id)).toHaveLength(1));
});
