// Each provider's follow-up against its simulator over loopback HTTP: the request each
// provider documents (paths, headers, HMAC, OAuth2), and the events the answer becomes.
import { evrotrustAuthorization } from '../../src/providers/evrotrust';
import { createFollowUps } from '../../src/providers';
import { basicClientAuth } from '../../src/providers/signicat';
import type { ProviderName, FollowUpRequest, TransactionKind } from '../../src/common/types';
import { EvrotrustSimulator } from '../../src/providers/evrotrust/simulator';
import { PortalDeAssinaturasSimulator } from '../../src/providers/portal-de-assinaturas/simulator';
import { SignhostSimulator } from '../../src/providers/signhost/simulator';
import { SignicatSimulator } from '../../src/providers/signicat/simulator';
import { testConfig } from '../helpers/config';
import { simulatorEnv } from '../helpers/simulator-env';
import { scriptedServer, type ScriptedServer } from '../helpers/scripted-server';

const creds = {
  evrotrust: { apiKey: 'et-key', vendorNumber: 'V-77' },
  signhost: { appKey: 'app-1', apiKey: 'user-1', sharedSecret: 'shh' },
  signicat: { clientId: 'client-1', clientSecret: 's3cret/+=' },
  portal: { token: 'portal-token' },
};

let evrotrust: EvrotrustSimulator;
let signhost: SignhostSimulator;
let signicat: SignicatSimulator;
let portal: PortalDeAssinaturasSimulator;
let receiver: ScriptedServer;

function env(overrides: Record<string, string> = {}) {
  return simulatorEnv({ evrotrust, signhost, signicat, portal }, overrides, creds);
}

const followUps = (overrides: Record<string, string> = {}) => createFollowUps(testConfig(env(overrides)));

function req(
  provider: ProviderName,
  externalId: string,
  extra: Partial<FollowUpRequest> = {},
  kind: TransactionKind = 'signing',
): FollowUpRequest {
  return { ref: { provider, kind, externalId }, workflowId: `${kind}:${provider}:${externalId}`, attempt: 1, ...extra };
}

beforeAll(async () => {
  receiver = await scriptedServer([{ status: 200 }]);
  evrotrust = new EvrotrustSimulator(creds.evrotrust);
  signhost = new SignhostSimulator(creds.signhost);
  signicat = new SignicatSimulator(creds.signicat);
  portal = new PortalDeAssinaturasSimulator(creds.portal);
  await Promise.all([evrotrust.start(), signhost.start(), signicat.start(), portal.start()]);
});
afterAll(async () => {
  await Promise.all([evrotrust?.close(), signhost?.close(), signicat?.close(), portal?.close(), receiver?.close()]);
});

describe('Evrotrust', () => {
  it('signs the exact body: HMAC-SHA256 keyed with the SHA-256 digest of the API key (known answer)', () => {
    // Computed with openssl: key = sha256("test-api-key") as raw bytes.
    expect(evrotrustAuthorization('test-api-key', '{"vendorNumber":"V1","transactionID":"tx-1"}')).toBe(
      '8dd0f2d7b2e5e17a40dd1aaf751c1c8d4e0d88055a45d9b784552490b01c251d',
    );
  });

  it('polls POST /document/status and maps the status like a callback, with source poll', async () => {
    const tx = evrotrust.createTransaction();
    await evrotrust.setStatus(tx.transactionID, 3, { rejectReason: 'declined' });
    const result = await followUps().evrotrust(req('evrotrust', tx.transactionID));
    expect(result.outcome).toBe('polled: status 3 (rejected)');
    expect(result.events).toEqual([
      expect.objectContaining({
        key: 'status:3',
        type: 'rejected',
        source: 'poll',
        status: 'rejected',
        providerStatus: '3',
        details: { label: 'rejected', isProcessing: false },
      }),
    ]);
    expect(evrotrust.server.requests.at(-1)).toMatchObject({ method: 'POST', path: '/document/status', status: 200 });
  });

  it('reports an unknown transaction (Evrotrust 443) as an outcome, not a failure', async () => {
    const result = await followUps().evrotrust(req('evrotrust', 'never-sent'));
    expect(result).toEqual({ events: [], outcome: 'polled: not found (HTTP 443)' });
  });

  it('fails non-retryably when the API key is wrong, after one request', async () => {
    const tx = evrotrust.createTransaction();
    const before = evrotrust.server.requests.length;
    await expect(
      followUps({ EVROTRUST_API_KEY: 'wrong' }).evrotrust(req('evrotrust', tx.transactionID)),
    ).rejects.toMatchObject({
      name: 'ProviderAuthError',
      retryable: false,
      status: 401,
    });
    expect(evrotrust.server.requests.length - before).toBe(1);
  });

  it('refuses to poll without credentials', async () => {
    await expect(followUps({ EVROTRUST_API_KEY: '' }).evrotrust(req('evrotrust', 'x'))).rejects.toMatchObject({
      name: 'ProviderNotConfiguredError',
      retryable: false,
    });
  });
});

describe('Signhost', () => {
  it('polls GET /transaction/{id} and maps Status', async () => {
    const tx = signhost.createTransaction();
    await signhost.setStatus(tx.Id, 20);
    const result = await followUps().signhost(req('signhost', tx.Id));
    expect(result.events).toEqual([
      expect.objectContaining({ key: 'status:20', type: 'statusReported', status: 'in_progress', source: 'poll' }),
    ]);
    expect(result.outcome).toBe('polled: status 20 (in progress)');
  });

  it('reads the final status from a 410 Gone', async () => {
    const tx = signhost.createTransaction();
    await signhost.setStatus(tx.Id, 30);
    signhost.markGone(tx.Id);
    const result = await followUps().signhost(req('signhost', tx.Id));
    expect(result.events).toEqual([
      expect.objectContaining({
        key: 'status:30',
        type: 'signed',
        status: 'signed',
        details: { label: 'signed', gone: true },
      }),
    ]);
    expect(result.outcome).toBe('polled: gone (HTTP 410), status 30 (signed)');
  });

  it.each([
    ['app key', { SIGNHOST_APP_KEY: 'other' }],
    ['API key', { SIGNHOST_API_KEY: 'other' }],
  ])('fails non-retryably with a wrong %s', async (_what, overrides) => {
    const tx = signhost.createTransaction();
    await expect(followUps(overrides).signhost(req('signhost', tx.Id))).rejects.toMatchObject({
      name: 'ProviderAuthError',
      status: 401,
    });
  });
});

describe('Signicat', () => {
  it('encodes client credentials as RFC 6749 asks', () => {
    expect(basicClientAuth('a b', 's/+=')).toBe(`Basic ${Buffer.from('a+b:s%2F%2B%3D').toString('base64')}`);
  });

  it('first asks Notify, which makes Signicat call back; then, if still silent, gets the process', async () => {
    const p = signicat.createProcess({
      notificationUrl: `${receiver.url}/callbacks/signicat`,
      authorizationHeader: 'Bearer cb-secret',
    });
    await signicat.setStatus(p.processId, 'accepted', { callback: false }); // the callback was lost
    const fu = followUps();
    const first = await fu.signicat(req('signicat', p.processId, { dossierId: p.dossierId }));
    expect(first).toEqual({ events: [], outcome: 'notify requested: the callback should follow' });
    await signicat.settle();
    await waitFor(() => receiver.seen.some((r) => r.body.includes(p.processId)));
    const cb = receiver.seen.find((r) => r.body.includes(p.processId))!;
    expect(JSON.parse(cb.body)).toEqual({ dossierId: p.dossierId, processId: p.processId, status: 'accepted' });
    expect(cb.headers.authorization).toBe('Bearer cb-secret');

    const second = await fu.signicat(
      req('signicat', p.processId, { dossierId: p.dossierId, attempt: 2, previousOutcome: first.outcome }),
    );
    expect(second.outcome).toBe('polled: status accepted');
    expect(second.events).toEqual([
      expect.objectContaining({ key: 'status:accepted', type: 'signed', status: 'signed', source: 'poll' }),
    ]);
  });

  it('falls back to Get process when the Notify endpoint does not exist', async () => {
    const bare = new SignicatSimulator({ ...creds.signicat, notifyPath: null });
    await bare.start();
    try {
      const p = bare.createProcess();
      await bare.setStatus(p.processId, 'inconclusive', { callback: false });
      const result = await followUps({ SIGNICAT_API_URL: bare.url }).signicat(
        req('signicat', p.processId, { dossierId: p.dossierId }),
      );
      expect(result.outcome).toBe('notify unavailable (HTTP 404); polled: status inconclusive');
      expect(result.events).toEqual([
        expect.objectContaining({ key: 'status:inconclusive', status: 'failed', type: 'failed' }),
      ]);
    } finally {
      await bare.close();
    }
  });

  it('keeps an unknown process status without mapping it', async () => {
    const p = signicat.createProcess();
    await signicat.setStatus(p.processId, 'archived');
    const result = await followUps().signicat(
      req('signicat', p.processId, {
        dossierId: p.dossierId,
        attempt: 2,
        previousOutcome: 'notify requested: the callback should follow',
      }),
    );
    expect(result.events).toEqual([
      expect.objectContaining({ key: 'status:archived', type: 'statusReported', providerStatus: 'archived' }),
    ]);
    expect(result.events[0].status).toBeUndefined();
  });

  it('reuses its token, and renews it once when Signicat revokes it early', async () => {
    const p = signicat.createProcess();
    const fu = followUps();
    const tokenCalls = () => signicat.server.requests.filter((r) => r.path === '/auth/open/connect/token').length;
    const before = tokenCalls();
    const poll = { dossierId: p.dossierId, attempt: 2, previousOutcome: 'notify requested' };
    await fu.signicat(req('signicat', p.processId, poll));
    await fu.signicat(req('signicat', p.processId, poll));
    expect(tokenCalls() - before).toBe(1);
    signicat.tokens.clear();
    const result = await fu.signicat(req('signicat', p.processId, poll));
    expect(result.outcome).toBe('polled: status pending');
    expect(tokenCalls() - before).toBe(2);
  });

  it('fails non-retryably when the client secret is wrong', async () => {
    const p = signicat.createProcess();
    await expect(
      followUps({ SIGNICAT_CLIENT_SECRET: 'nope' }).signicat(req('signicat', p.processId, { dossierId: p.dossierId })),
    ).rejects.toMatchObject({
      name: 'ProviderAuthError',
      operation: 'token',
    });
  });

  it('needs the dossier id', async () => {
    expect(await followUps().signicat(req('signicat', 'p-1'))).toEqual({
      events: [],
      outcome: 'skipped: no dossierId to find the process',
    });
  });
});

describe('Portal de Assinaturas', () => {
  const portalPoll = (documentId: string, overrides: Record<string, string> = {}) =>
    followUps(overrides)['portal-de-assinaturas'](req('portal-de-assinaturas', documentId));

  it.each([
    [['SIGNATURE-DIGITAL', 'STEP-1', 'FLOW'], 'FLOW', 'signed', 'signed'],
    [['SIGNATURE-NOK'], 'SIGNATURE-NOK', 'rejected', 'rejected'],
    [['SIGNATURE-ELETRONIC'], 'SIGNATURE-ELETRONIC', 'signerAction', 'in_progress'],
  ])('after %j reads %s → %s', async (actions, action, type, status) => {
    const doc = portal.createDocument();
    for (const a of actions) await portal.act(doc.documentId, a);
    const result = await portalPoll(doc.documentId);
    expect(result.events).toEqual([
      expect.objectContaining({ key: action, type, status, source: 'poll', providerStatus: action }),
    ]);
  });

  it('never polls registered mail: there is no API for it', async () => {
    const result = await followUps()['portal-de-assinaturas'](req('portal-de-assinaturas', '1', {}, 'registered-mail'));
    expect(result).toEqual({ events: [], outcome: 'not supported: registered mail has no status API' });
  });

  it('fails non-retryably with a wrong token', async () => {
    const doc = portal.createDocument();
    await expect(portalPoll(doc.documentId, { PORTAL_DE_ASSINATURAS_TOKEN: 'x' })).rejects.toMatchObject({
      name: 'ProviderAuthError',
    });
  });
});

/** Polls until `check` holds: the callback a Notify triggers is sent after Notify answers. */
function waitFor(check: () => boolean, tries = 100): Promise<void> {
  return new Promise((resolve, reject) => {
    const tick = (n: number) =>
      check() ? resolve() : n <= 0 ? reject(new Error('condition never met')) : setTimeout(() => tick(n - 1), 20);
    tick(tries);
  });
}
