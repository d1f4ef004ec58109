// Current and previous secrets (docs/secret-rotation.md): what each provider's receiver accepts
// during an overlap, and what configuration refuses.
import { loadConfig } from '../../src/config';
import { configRefusal } from '../helpers/config';
import { createPortalDeAssinaturas } from '../../src/providers/portal-de-assinaturas';
import type { RawCallback, SenderVerdict } from '../../src/providers/provider';
import { matchSecret } from '../../src/providers/secrets';
import { createSignhost, signhostChecksum } from '../../src/providers/signhost';
import { createSignicat } from '../../src/providers/signicat';

const raw = (headers: Record<string, string>, body: unknown = {}): RawCallback => ({
  path: '/',
  headers,
  rawBody: Buffer.from(JSON.stringify(body)),
  receivedAt: '2026-01-01T00:00:00.000Z',
});
const ok = (verdict: SenderVerdict) =>
  verdict.kind === 'sender' ? { verified: verdict.verified, previous: !!verdict.previousSecret } : verdict.refusal;

describe('matchSecret', () => {
  it('names the value that matched and tries both whatever the first answered', () => {
    const tried: string[] = [];
    const match = (v: string) => (s: string) => (tried.push(s), s === v);
    expect(matchSecret('new', 'old', match('new'))).toBe('current');
    expect(tried).toEqual(['new', 'old']);
    expect(matchSecret('new', 'old', match('old'))).toBe('previous');
    expect(matchSecret('new', 'old', match('other'))).toBeUndefined();
    expect(matchSecret('new', undefined, match('old'))).toBeUndefined();
  });
});

describe('Signhost during an overlap', () => {
  const settings = {
    allowedIps: [],
    sharedSecret: 'new-secret',
    sharedSecretPrevious: 'old-secret',
    postbackAuthorization: 'new-header',
    postbackAuthorizationPrevious: 'old-header',
    maxActivitiesPerPostback: 200,
  };
  const signhost = createSignhost(settings);
  const postback = (secret: string, header: string) =>
    raw({ authorization: header }, { Id: 'tx-1', Status: 30, Checksum: signhostChecksum('tx-1', 30, secret) });

  it('accepts each combination of current and previous values, counting any previous one', () => {
    expect(ok(signhost.authenticate(postback('new-secret', 'new-header')))).toEqual({
      verified: true,
      previous: false,
    });
    expect(ok(signhost.authenticate(postback('old-secret', 'new-header')))).toEqual({ verified: true, previous: true });
    expect(ok(signhost.authenticate(postback('new-secret', 'old-header')))).toEqual({ verified: true, previous: true });
    expect(ok(signhost.authenticate(postback('old-secret', 'old-header')))).toEqual({ verified: true, previous: true });
  });

  it('refuses any other value, and the previous one once it is dropped', () => {
    expect(ok(signhost.authenticate(postback('other', 'new-header')))).toBe('unauthorized');
    expect(ok(signhost.authenticate(postback('new-secret', 'other')))).toBe('unauthorized');
    const after = createSignhost({
      ...settings,
      sharedSecretPrevious: undefined,
      postbackAuthorizationPrevious: undefined,
    });
    expect(ok(after.authenticate(postback('old-secret', 'new-header')))).toBe('unauthorized');
    expect(ok(after.authenticate(postback('new-secret', 'old-header')))).toBe('unauthorized');
  });
});

describe('Signicat and Portal de Assinaturas during an overlap', () => {
  it('Signicat: current or previous value, Bearer tolerated on both', () => {
    const signicat = createSignicat({
      allowedIps: [],
      callbackAuthorization: 'new',
      callbackAuthorizationPrevious: 'old',
      callbackAuthorizationHeader: 'authorization',
    });
    expect(ok(signicat.authenticate(raw({ authorization: 'new' })))).toEqual({ verified: true, previous: false });
    expect(ok(signicat.authenticate(raw({ authorization: 'Bearer old' })))).toEqual({ verified: true, previous: true });
    expect(ok(signicat.authenticate(raw({ authorization: 'older' })))).toBe('unauthorized');
  });

  it('Portal: the previous header may have another name', () => {
    const portal = createPortalDeAssinaturas({
      allowedIps: [],
      callbackHeader: 'X-New: n3w',
      callbackHeaderPrevious: 'X-Old: 0ld',
      token: undefined,
    });
    expect(ok(portal.authenticate(raw({ 'x-new': 'n3w' })))).toEqual({ verified: true, previous: false });
    expect(ok(portal.authenticate(raw({ 'x-old': '0ld' })))).toEqual({ verified: true, previous: true });
    expect(ok(portal.authenticate(raw({ 'x-new': '0ld' })))).toBe('unauthorized');
    expect(ok(portal.authenticate(raw({ 'x-old': 'n3w' })))).toBe('unauthorized');
  });
});

describe('configuration', () => {
  const refusal = configRefusal;

  it('refuses a previous value without a current one, naming the variable and hiding the value', () => {
    const text = refusal({ SIGNHOST_SHARED_SECRET_PREVIOUS: 'old-shared-secret' });
    expect(text).toMatch(/SIGNHOST_SHARED_SECRET_PREVIOUS: .*beside SIGNHOST_SHARED_SECRET/);
    expect(text).not.toContain('old-shared-secret');
    expect(refusal({ COUNTERSIGN_NOTIFY_SECRET_PREVIOUS: 'whsec_b2xk' })).toMatch(/COUNTERSIGN_NOTIFY_SECRET_PREVIOUS/);
  });

  it('in production, a previous value never stands in for the guard it retires', () => {
    const text = refusal({
      NODE_ENV: 'production',
      EVROTRUST_ALLOWED_IPS: '203.0.113.10',
      SIGNICAT_CALLBACK_AUTHORIZATION: 'cb',
      PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: 'X-Token: abc',
      SIGNHOST_SHARED_SECRET_PREVIOUS: 'old',
    });
    expect(text).toMatch(/SIGNHOST_SHARED_SECRET_PREVIOUS/);
  });

  it('checks a previous notification secret like the current one, without echoing it', () => {
    const text = refusal({
      COUNTERSIGN_NOTIFY_SECRET: 'whsec_bmV3',
      COUNTERSIGN_NOTIFY_SECRET_PREVIOUS: 'not base64!',
    });
    expect(text).toMatch(/COUNTERSIGN_NOTIFY_SECRET_PREVIOUS: expected standard base64/);
    expect(text).not.toContain('not base64!');
  });

  it('reads single values exactly as before, and both during an overlap', () => {
    const single = loadConfig({ SIGNHOST_SHARED_SECRET: 'a,b', COUNTERSIGN_NOTIFY_SECRET: 'whsec_bmV3' });
    expect(single.providers.signhost).toMatchObject({ sharedSecret: 'a,b', sharedSecretPrevious: undefined });
    expect(single.steps.notify).toEqual({ url: undefined, secret: 'whsec_bmV3', previousSecret: undefined });
    const overlap = loadConfig({
      SIGNICAT_CALLBACK_AUTHORIZATION: 'new',
      SIGNICAT_CALLBACK_AUTHORIZATION_PREVIOUS: 'old',
      PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: 'X-New: n',
      PORTAL_DE_ASSINATURAS_CALLBACK_HEADER_PREVIOUS: 'X-Old: o',
    });
    expect(overlap.providers.signicat).toMatchObject({ callbackAuthorizationPrevious: 'old' });
    expect(overlap.providers['portal-de-assinaturas']).toMatchObject({ callbackHeaderPrevious: 'X-Old: o' });
  });
});
