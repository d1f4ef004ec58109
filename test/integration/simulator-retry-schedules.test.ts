// The simulators call back the way each provider's document says, retries included. Time is
// a fake clock (days pass at once); every callback is a real HTTP request to a loopback
// receiver.
import { createHash } from 'node:crypto';
import { FakeScheduler } from '../../src/simulators';
import { EvrotrustSimulator } from '../../src/providers/evrotrust/simulator';
import { PortalDeAssinaturasSimulator, triggerReports } from '../../src/providers/portal-de-assinaturas/simulator';
import { SignhostSimulator, signhostChecksum } from '../../src/providers/signhost/simulator';
import { SignicatSimulator } from '../../src/providers/signicat/simulator';
import { scriptedServer, type ScriptedAnswer, type ScriptedServer } from '../helpers/scripted-server';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

let receiver: ScriptedServer | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await receiver?.close();
  receiver = undefined;
});

async function receive(answers: ScriptedAnswer[]) {
  receiver = await scriptedServer(answers);
  return receiver;
}

async function started<T extends { start(): Promise<string>; close(): Promise<void> }>(sim: T): Promise<T> {
  await sim.start();
  closers.push(() => sim.close());
  return sim;
}

/** Offsets of each attempt from the first one. */
const offsets = (at: number[]) => at.map((t) => t - at[0]);

describe('Evrotrust: 3 attempts in all, 30 s timeout, only a 200 counts (docs/providers/evrotrust.md)', () => {
  it('waits 30 s for an answer by default', () => {
    expect(new EvrotrustSimulator({ apiKey: 'k', vendorNumber: 'v' }).callbackTimeoutMs).toBe(30_000);
  });

  it('tries 3 times and stops', async () => {
    const clock = new FakeScheduler();
    const r = await receive([{ status: 500 }]);
    const sim = await started(new EvrotrustSimulator({ apiKey: 'k', vendorNumber: 'v', scheduler: clock }));
    const tx = sim.createTransaction({ urlCallback: `${r.url}/cb` });
    expect(await sim.setStatus(tx.transactionID, 2)).toBe(false);
    await clock.advance(7 * DAY);
    expect(sim.deliveries.map((d) => d.attempt)).toEqual([1, 2, 3]);
    expect(offsets(sim.deliveries.map((d) => d.at))).toEqual([0, MIN, 6 * MIN]);
    expect(r.seen.map((s) => s.url)).toEqual(['/cb/document/ready', '/cb/document/ready', '/cb/document/ready']);
    expect(JSON.parse(r.seen[0].body)).toEqual({ transactionID: tx.transactionID, status: 2 });
    // No credentials of any kind: only the content type.
    expect(Object.keys(r.seen[0].headers).filter((h) => /auth|token|checksum|signature/i.test(h))).toEqual([]);
  });

  it('treats any answer but 200 as a failure, and stops at the first 200', async () => {
    const clock = new FakeScheduler();
    const r = await receive([{ status: 204 }, { status: 200 }]);
    const sim = await started(new EvrotrustSimulator({ apiKey: 'k', vendorNumber: 'v', scheduler: clock }));
    const tx = sim.createTransaction({ urlCallback: r.url, offline: true });
    await sim.setStatus(tx.transactionID, 3, { rejectReason: 'user declined' });
    await clock.advance(DAY);
    expect(sim.deliveries.map((d) => [d.status, d.ok])).toEqual([
      [204, false],
      [200, true],
    ]);
    expect(r.seen[1].url).toBe('/document/offline/ready');
    expect(JSON.parse(r.seen[1].body)).toEqual({
      transactionID: tx.transactionID,
      status: 3,
      rejectReason: 'user declined',
    });
  });

  it('counts a receiver that does not answer in time as a failed attempt', async () => {
    const clock = new FakeScheduler();
    const r = await receive([{ status: 200, hang: true }, { status: 200 }]);
    const sim = await started(
      new EvrotrustSimulator({ apiKey: 'k', vendorNumber: 'v', scheduler: clock, callbackTimeoutMs: 150 }),
    );
    const tx = sim.createTransaction({ urlCallback: r.url });
    await sim.setStatus(tx.transactionID, 2);
    await clock.advance(DAY);
    expect(sim.deliveries.map((d) => d.error ?? d.status)).toEqual(['timeout', 200]);
  });
});

describe('Portal de Assinaturas: every 30 minutes for 24 hours, then an e-mail (docs/providers/portal-de-assinaturas.md)', () => {
  const config = (url: string, trigger: 'FLOW' | 'STEP' | 'ACTION' = 'ACTION') => ({
    url: `${url}/callbacks/portal-de-assinaturas`,
    trigger,
    headers: [{ name: 'X-Countersign-Key', value: 'abc' }],
  });

  it('retries every 30 minutes until 24 hours have passed, then gives up and tells the admin', async () => {
    const clock = new FakeScheduler();
    const r = await receive([{ status: 503 }]);
    const sim = await started(
      new PortalDeAssinaturasSimulator({ token: 't', scheduler: clock, callback: config(r.url) }),
    );
    const doc = sim.createDocument({ documentId: '123456' });
    await sim.act(doc.documentId, 'FLOW');
    await clock.advance(4 * DAY);
    const at = offsets(sim.deliveries.map((d) => d.at));
    expect(at).toHaveLength(49);
    expect(at.every((t, i) => t === i * 30 * MIN)).toBe(true);
    expect(at.at(-1)).toBe(DAY);
    expect(sim.adminNotices).toEqual([{ at: sim.deliveries[0].at + DAY, url: config(r.url).url }]);
    expect(r.seen.every((s) => s.headers['x-countersign-key'] === 'abc')).toBe(true);
    // The sample's casing and a numeric id (docs/providers/portal-de-assinaturas.md).
    expect(JSON.parse(r.seen[0].body)).toMatchObject({ documentID: 123456, action: 'FLOW', message: '' });
  });

  it('stops retrying once the receiver answers 2xx', async () => {
    const clock = new FakeScheduler();
    const r = await receive([{ status: 500 }, { status: 500 }, { status: 200 }]);
    const sim = await started(
      new PortalDeAssinaturasSimulator({ token: 't', scheduler: clock, callback: config(r.url) }),
    );
    const doc = sim.createDocument();
    await sim.act(doc.documentId, 'SIGNATURE-DIGITAL', { name: 'Signer One', identifier: '000.000.000-00' });
    await clock.advance(2 * DAY);
    expect(offsets(sim.deliveries.map((d) => d.at))).toEqual([0, 30 * MIN, 60 * MIN]);
    expect(sim.adminNotices).toEqual([]);
  });

  it.each([
    ['FLOW', ['SIGNATURE-DIGITAL', 'STEP-1', 'FLOW'], ['FLOW']],
    ['STEP', ['SIGNATURE-DIGITAL', 'STEP-1', 'FLOW'], ['STEP-1', 'FLOW']],
    ['ACTION', ['SIGNATURE-DIGITAL', 'STEP-1', 'FLOW'], ['SIGNATURE-DIGITAL', 'STEP-1', 'FLOW']],
  ] as const)('trigger %s reports %j as %j', async (trigger, actions, reported) => {
    const r = await receive([{ status: 200 }]);
    const sim = await started(new PortalDeAssinaturasSimulator({ token: 't', callback: config(r.url, trigger) }));
    const doc = sim.createDocument();
    for (const a of actions) await sim.act(doc.documentId, a);
    expect(r.seen.map((s) => (JSON.parse(s.body) as { action: string }).action)).toEqual(reported);
    expect(triggerReports(trigger, 'SIGNATURE-NOK')).toBe(true);
  });

  it('sends registered-mail callbacks in the documented shape', async () => {
    const r = await receive([{ status: 200 }]);
    const sim = await started(new PortalDeAssinaturasSimulator({ token: 't', callback: config(r.url) }));
    const mail = sim.createRegisteredMail({ registeredMailId: '9001', recipient: 'someone@example.test' });
    await sim.mailEvent(mail.registeredMailId, 'DELIVERED', { message: 'Successfully delivered' });
    expect(JSON.parse(r.seen[0].body)).toEqual({
      type: 'REGISTERED-MAIL',
      registeredMailId: 9001,
      recipient: 'someone@example.test',
      action: 'DELIVERED',
      info: { message: 'Successfully delivered' },
    });
  });
});

describe('Signhost: one queue per account, in order, blocked by a failing head (docs/providers/signhost.md)', () => {
  const opts = {
    appKey: 'a',
    apiKey: 'k',
    sharedSecret: 'SharedSecret',
    postbackAuthorization: 'portal-header-value',
    random: () => 0.5,
  };

  it('computes the documented checksum (official test vector)', () => {
    expect(signhostChecksum('b10ae331-af78-4e79-a39e-5b64693b6b68', 20, 'SharedSecret')).toBe(
      'cdc09eee2ed6df2846dcc193aedfef59f2834f8d',
    );
  });

  it('holds later postbacks until the head gets a 2xx, retrying it at increasing intervals', async () => {
    const clock = new FakeScheduler();
    const r = await receive([{ status: 500 }, { status: 500 }, { status: 502 }, { status: 200 }]);
    const sim = await started(
      new SignhostSimulator({ ...opts, scheduler: clock, postbackUrl: `${r.url}/callbacks/signhost` }),
    );
    const a = sim.createTransaction();
    const b = sim.createTransaction();
    await sim.setStatus(a.Id, 20);
    await sim.setStatus(b.Id, 30);
    expect(r.seen).toHaveLength(1); // b waits behind a
    expect(sim.queued()).toBe(2);
    await clock.advance(DAY);
    const ids = r.seen.map((s) => (JSON.parse(s.body) as { Id: string }).Id);
    expect(ids).toEqual([a.Id, a.Id, a.Id, a.Id, b.Id]);
    const gaps = sim.deliveries
      .slice(0, 4)
      .map((d, i, all) => (i ? d.at - all[i - 1].at : 0))
      .slice(1);
    expect(gaps[1]).toBeGreaterThan(gaps[0]);
    expect(gaps[2]).toBeGreaterThan(gaps[1]);
    expect(sim.queued()).toBe(0);

    for (const seen of r.seen) {
      const body = JSON.parse(seen.body) as { Id: string; Status: number; Checksum: string };
      const expected = createHash('sha1').update(`${body.Id}||${body.Status}|SharedSecret`).digest('hex');
      expect(body.Checksum).toBe(expected);
      expect(seen.headers.checksum).toBe(expected);
      expect(seen.headers.authorization).toBe('portal-header-value');
    }
  });

  it('deletes the whole queue when the head still fails after 48 hours (queue expiry)', async () => {
    const clock = new FakeScheduler();
    const r = await receive([{ status: 503 }]);
    const sim = await started(new SignhostSimulator({ ...opts, scheduler: clock, postbackUrl: r.url }));
    const a = sim.createTransaction();
    const b = sim.createTransaction();
    await sim.setStatus(a.Id, 30);
    await sim.setStatus(b.Id, 40);
    await clock.advance(5 * DAY);
    expect(sim.dropped).toHaveLength(1);
    expect(sim.dropped[0].count).toBe(2);
    expect(sim.dropped[0].at - sim.deliveries[0].at).toBeGreaterThanOrEqual(48 * HOUR);
    expect(r.seen.every((s) => (JSON.parse(s.body) as { Id: string }).Id === a.Id)).toBe(true);
    expect(sim.queued()).toBe(0);
  });

  it('with per-request expiry (request expiry) drops only the head and moves on', async () => {
    const clock = new FakeScheduler();
    const r = await receive([{ status: 503 }]);
    const sim = await started(
      new SignhostSimulator({
        ...opts,
        scheduler: clock,
        postbackUrl: r.url,
        dropMode: 'request',
        dropAfterMs: 7 * DAY,
      }),
    );
    const a = sim.createTransaction();
    const b = sim.createTransaction();
    await sim.setStatus(a.Id, 30);
    await sim.setStatus(b.Id, 40);
    await clock.advance(6 * DAY);
    expect(sim.dropped).toEqual([]);
    await clock.advance(30 * DAY);
    expect(sim.dropped.map((d) => d.count)).toEqual([1, 1]);
    expect(r.seen.some((s) => (JSON.parse(s.body) as { Id: string }).Id === b.Id)).toBe(true);
  });

  it('keeps one queue per account', async () => {
    const clock = new FakeScheduler();
    const r = await receive([{ status: 500 }, { status: 200 }]);
    const sim = await started(new SignhostSimulator({ ...opts, scheduler: clock, postbackUrl: r.url }));
    const a = sim.createTransaction({ account: 'one' });
    const b = sim.createTransaction({ account: 'two' });
    await sim.setStatus(a.Id, 30); // fails: account one is blocked
    await sim.setStatus(b.Id, 30); // account two is not
    expect(r.seen.map((s) => (JSON.parse(s.body) as { Id: string }).Id)).toEqual([a.Id, b.Id]);
    expect([sim.queued('one'), sim.queued('two')]).toEqual([1, 0]);
  });

  it('tests a newly registered URL with an empty POST', async () => {
    const r = await receive([{ status: 200 }]);
    const sim = await started(new SignhostSimulator({ ...opts, postbackUrl: r.url }));
    expect(await sim.sendTestPostback()).toBe(true);
    expect(r.seen[0].body).toBe('');
  });
});

describe('Signicat: no retry, only Notify sends again (docs/providers/signicat.md)', () => {
  it('calls back once when the process ends, and never again on its own', async () => {
    const clock = new FakeScheduler();
    const r = await receive([{ status: 500 }]);
    const sim = await started(new SignicatSimulator({ clientId: 'c', clientSecret: 's', scheduler: clock }));
    const p = sim.createProcess({ notificationUrl: r.url, authorizationHeader: 'Bearer xyz' });
    await sim.setStatus(p.processId, 'processing');
    expect(r.seen).toHaveLength(0);
    await sim.setStatus(p.processId, 'accepted');
    await clock.advance(30 * DAY);
    expect(r.seen).toHaveLength(1);
    expect(r.seen[0].headers.authorization).toBe('Bearer xyz');
    expect(JSON.parse(r.seen[0].body)).toEqual({ dossierId: p.dossierId, processId: p.processId, status: 'accepted' });
    expect(new SignicatSimulator({ clientId: 'c', clientSecret: 's' }).callbackTimeoutMs).toBe(10_000);
  });
});

describe('control API (for demos and benchmarks in another process)', () => {
  const post = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(
      async (r) => ({ status: r.status, json: await r.json().catch(() => undefined) }),
    );

  it('creates a transaction and changes its status over HTTP, which calls back', async () => {
    const r = await receive([{ status: 200 }]);
    const sim = await started(new EvrotrustSimulator({ apiKey: 'k', vendorNumber: 'v' }));
    expect(
      await post(`${sim.url}/_simulator/transactions`, { transactionID: 'demo-1', urlCallback: r.url }),
    ).toMatchObject({ status: 201, json: { transactionID: 'demo-1', status: 1 } });
    expect(await post(`${sim.url}/_simulator/transactions/demo-1/status`, { status: 2 })).toEqual({
      status: 200,
      json: { delivered: true },
    });
    expect(JSON.parse(r.seen[0].body)).toEqual({ transactionID: 'demo-1', status: 2 });
    const deliveries = await (await fetch(`${sim.url}/_simulator/deliveries`)).json();
    expect(deliveries).toEqual([expect.objectContaining({ ok: true, status: 200, attempt: 1 })]);
  });

  it.each([
    ['a status of the wrong type', { status: 'signed' }],
    ['no status', {}],
  ])('refuses %s and changes nothing', async (_name, body) => {
    const sim = await started(new SignhostSimulator({ appKey: 'a', apiKey: 'k', sharedSecret: 's' }));
    const tx = sim.createTransaction();
    expect((await post(`${sim.url}/_simulator/transactions/${tx.Id}/status`, body)).status).toBe(400);
    expect(sim.transactions.get(tx.Id)?.Status).toBe(10);
  });
});
