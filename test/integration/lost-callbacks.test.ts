// Callbacks the providers' own documents describe that were lost: refused with 400/404, or
// answered 200 and dropped, or (Signicat) a follow-up that never read the process. Real
// Temporal, real worker, real HTTP over loopback; Signicat's API is its simulator.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createFollowUps } from '../../src/providers';
import type { TransactionState } from '../../src/common/types';
import { SignicatSimulator } from '../../src/providers/signicat/simulator';
import { postJson } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { eventually } from '../helpers/http';
import { plainRequest } from '../helpers/raw-http';
import { signhostPostback } from '../helpers/signhost';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';
import { registerViaApi, readTransaction } from '../helpers/transactions';

const SECRET = 'signhost-shared-secret';
let env: TestWorkflowEnvironment;
let stack: Stack;
let signicat: SignicatSimulator;

beforeAll(async () => {
  env = await startDevServerEnv();
  stack = await startStack(env, testConfig({ SIGNHOST_SHARED_SECRET: SECRET }));
  signicat = new SignicatSimulator({ clientId: 'client-1', clientSecret: 'secret-1' });
  await signicat.start();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await signicat?.close();
  await env?.teardown();
});

const url = (path: string) => `${stack.app.url}${path}`;

const transaction = (provider: string, externalId: string) => ({ provider, externalId, reference: 'r' });

function state(workflowId: string): Promise<TransactionState> {
  return readTransaction(url(`/transactions/${workflowId}`));
}

describe('Evrotrust', () => {
  it('applies "rejectReason": null with status 2', async () => {
    const id = uniqueId();
    await registerViaApi(stack.app.url, transaction('evrotrust', id));
    const res = await postJson(url('/callbacks/evrotrust/document/ready'), {
      transactionID: id,
      status: 2,
      rejectReason: null,
    });
    expect(res.status).toBe(200);
    expect((await state(`signing:evrotrust:${id}`)).status).toBe('signed');
  });

  it('keeps a status outside the documented codes on record without moving the transaction', async () => {
    const id = uniqueId();
    await registerViaApi(stack.app.url, transaction('evrotrust', id));
    expect((await postJson(url('/callbacks/evrotrust/document/ready'), { transactionID: id, status: 42 })).status).toBe(
      200,
    );
    const s = await state(`signing:evrotrust:${id}`);
    expect(s.status).toBe('pending');
    expect(s.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'status:42', providerStatus: '42', type: 'statusReported' }),
      ]),
    );
  });

  it('accepts the path a urlCallback with a trailing slash produces', async () => {
    const id = uniqueId();
    await registerViaApi(stack.app.url, transaction('evrotrust', id));
    expect((await postJson(url('/callbacks/evrotrust//document/ready'), { transactionID: id, status: 2 })).status).toBe(
      200,
    );
    expect(
      (await postJson(url('/callbacks/evrotrust//document/offline/ready'), { transactionID: id, status: 2 })).status,
    ).toBe(200);
    expect((await state(`signing:evrotrust:${id}`)).status).toBe('signed');
  });
});

describe('Signhost', () => {
  it.each([
    ['text/plain', { 'content-type': 'text/plain; charset=utf-8' }],
    ['no content type', {}],
  ])('counts a postback with a valid checksum sent as %s', async (_name, headers) => {
    const id = uniqueId();
    await registerViaApi(stack.app.url, transaction('signhost', id));
    const body = Buffer.from(JSON.stringify(signhostPostback({ id, status: 30, secret: SECRET })));
    const res = await plainRequest(url('/callbacks/signhost'), {
      method: 'POST',
      headers: { ...headers, 'content-length': String(body.length) },
      body,
    });
    expect(res.status).toBe(200);
    await eventually(async () => expect((await state(`signing:signhost:${id}`)).status).toBe('signed'));
  });

  it('counts the status when one signer or activity entry is malformed, and keeps the good ones', async () => {
    const id = uniqueId();
    await registerViaApi(stack.app.url, transaction('signhost', id));
    const postback = signhostPostback({ id, status: 30, secret: SECRET });
    const [john, jane] = postback.Signers;
    const broken = {
      ...postback,
      Signers: [
        { ...john, Activities: [...john.Activities, { Code: 'Opened' }] },
        { ...jane, Id: 42 },
      ],
    };
    expect((await postJson(url('/callbacks/signhost'), broken)).status).toBe(200);
    const s = await state(`signing:signhost:${id}`);
    expect(s.status).toBe('signed');
    const keys = s.events.map((e) => e.key);
    for (const a of john.Activities) expect(keys).toContain(`activity:${a.Id}`);
    for (const a of jane.Activities) expect(keys).not.toContain(`activity:${a.Id}`);
  });
});

describe('Signicat follow-up', () => {
  const followUp = () =>
    createFollowUps(
      testConfig({
        SIGNICAT_API_URL: signicat.url,
        SIGNICAT_CLIENT_ID: 'client-1',
        SIGNICAT_CLIENT_SECRET: 'secret-1',
        PROVIDER_API_ATTEMPTS: '1',
      }),
    ).signicat;

  it.each([400, 403, 500, 503])('reads the process when Notify answers %i', async (status) => {
    const p = signicat.createProcess();
    await signicat.setStatus(p.processId, 'accepted', { callback: false });
    // A 403 renews the token and tries once more before it counts.
    signicat.server.injectFault({ status, path: /\/notify$/, times: status === 403 ? 2 : 1 });
    const result = await followUp()({
      ref: { provider: 'signicat', kind: 'signing', externalId: p.processId },
      workflowId: 'w',
      attempt: 1,
      dossierId: p.dossierId,
    });
    expect(result.outcome).toBe(`notify failed (HTTP ${status}); polled: status accepted`);
    expect(result.events).toEqual([
      expect.objectContaining({ key: 'status:accepted', status: 'signed', source: 'poll' }),
    ]);
  });
});
