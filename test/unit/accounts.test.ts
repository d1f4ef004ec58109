// Named accounts in configuration (docs/accounts.md): what each account inherits, what it never
// does, and what stops startup.
import { loadConfig } from '../../src/config';
import { configRefusal } from '../helpers/config';
import { parseWorkflowId, workflowIdFor } from '../../src/common/ids';
import { accountOfWorkflowId } from '../../src/providers/accounts';

const refusal = configRefusal;

const guarded = {
  EVROTRUST_ALLOWED_IPS: '203.0.113.10',
  SIGNHOST_SHARED_SECRET: 'shh',
  SIGNICAT_CALLBACK_AUTHORIZATION: 'cb',
  PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: 'X-Token: abc',
};

describe('account names', () => {
  it('refuses a malformed, reserved or repeated name, naming the variable', () => {
    expect(refusal({ SIGNHOST_ACCOUNTS: 'acme,Globex' })).toMatch(/SIGNHOST_ACCOUNTS: "Globex": expected lower-case/);
    expect(refusal({ SIGNHOST_ACCOUNTS: 'acme-nl' })).toMatch(/SIGNHOST_ACCOUNTS/);
    expect(refusal({ EVROTRUST_ACCOUNTS: 'default' })).toMatch(/EVROTRUST_ACCOUNTS: "default" is the unnamed/);
    expect(refusal({ EVROTRUST_ACCOUNTS: 'sofia, sofia' })).toMatch(/EVROTRUST_ACCOUNTS: an account is named twice/);
  });

  it('refuses a variable of an undeclared account or an unknown variable, hiding its value', () => {
    const text = refusal({
      SIGNHOST_ACCOUNTS: 'acme',
      SIGNHOST_ACCOUNT_ACEM_SHARED_SECRET: 'typo-secret',
      SIGNHOST_ACCOUNT_ACME_SHARED_SECRT: 'typo-secret',
    });
    expect(text).toMatch(/SIGNHOST_ACCOUNT_ACEM_SHARED_SECRET: no such account variable \(accounts: acme/);
    expect(text).toMatch(/SIGNHOST_ACCOUNT_ACME_SHARED_SECRT: no such account variable/);
    expect(text).not.toContain('typo-secret');
  });

  it("names an account's own variable when its value is bad", () => {
    expect(
      refusal({ EVROTRUST_ACCOUNTS: 'sofia', EVROTRUST_ACCOUNT_SOFIA_API_URL: 'not a url', EVROTRUST_API_KEY: 'k' }),
    ).toMatch(/EVROTRUST_ACCOUNT_SOFIA_API_URL:/);
    expect(refusal({ SIGNHOST_ACCOUNTS: 'acme', SIGNHOST_ACCOUNT_ACME_SHARED_SECRET_PREVIOUS: 'old' })).toMatch(
      /SIGNHOST_ACCOUNT_ACME_SHARED_SECRET_PREVIOUS: .*beside SIGNHOST_ACCOUNT_ACME_SHARED_SECRET/,
    );
  });
});

describe('account settings', () => {
  it('a single-account configuration reads exactly as before', () => {
    const config = loadConfig({ SIGNHOST_SHARED_SECRET: 'shh' });
    expect(config.accounts).toEqual({});
    expect(config.providers.signhost).toMatchObject({ sharedSecret: 'shh' });
  });

  it("never inherits the default account's credentials, inherits its API URL, allowlist and rate", () => {
    const config = loadConfig({
      SIGNHOST_SHARED_SECRET: 'default-secret',
      SIGNHOST_APP_KEY: 'default-app',
      SIGNHOST_ALLOWED_IPS: '198.51.100.0/24',
      SIGNHOST_API_URL: 'https://sandbox.example/api',
      SIGNHOST_ACCOUNTS: 'acme,globex',
      SIGNHOST_ACCOUNT_ACME_SHARED_SECRET: 'acme-secret',
      SIGNHOST_ACCOUNT_GLOBEX_API_RATE_LIMIT: '7',
    });
    expect(config.accounts.signhost.acme).toMatchObject({
      sharedSecret: 'acme-secret',
      appKey: undefined,
      apiUrl: 'https://sandbox.example/api',
      allowedIps: ['198.51.100.0/24'],
      rateLimit: 2,
    });
    expect(config.accounts.signhost.globex).toMatchObject({ sharedSecret: undefined, rateLimit: 7 });
    expect(config.providers.signhost).toMatchObject({ sharedSecret: 'default-secret', rateLimit: 2 });
  });

  it('confirms unverified finals only where every account can ask the provider', () => {
    const both = loadConfig({
      EVROTRUST_API_KEY: 'k',
      EVROTRUST_VENDOR_NUMBER: 'v',
      EVROTRUST_ACCOUNTS: 'sofia',
      EVROTRUST_ACCOUNT_SOFIA_API_KEY: 'k2',
      EVROTRUST_ACCOUNT_SOFIA_VENDOR_NUMBER: 'v2',
    });
    expect(both.engine.providers?.evrotrust?.confirmUnverifiedFinals).toBe(true);
    const one = loadConfig({
      EVROTRUST_API_KEY: 'k',
      EVROTRUST_VENDOR_NUMBER: 'v',
      EVROTRUST_ACCOUNTS: 'sofia',
    });
    expect(one.engine.providers?.evrotrust?.confirmUnverifiedFinals).toBeUndefined();
  });
});

describe('production', () => {
  it('refuses an account whose callbacks nothing authenticates, naming its own variables', () => {
    const text = refusal({ NODE_ENV: 'production', ...guarded, SIGNHOST_ACCOUNTS: 'acme' });
    expect(text).toMatch(
      /signhost@acme: .*SIGNHOST_ACCOUNT_ACME_SHARED_SECRET or SIGNHOST_ACCOUNT_ACME_POSTBACK_AUTHORIZATION or SIGNHOST_ACCOUNT_ACME_ALLOWED_IPS.*SIGNHOST_ACCOUNT_ACME_ALLOW_UNAUTHENTICATED=true/,
    );
    expect(text).not.toMatch(/^ {2}signhost:/m);
  });

  it("starts with each account's own guard, or with the default's inherited allowlist", () => {
    expect(
      loadConfig({
        NODE_ENV: 'production',
        ...guarded,
        SIGNHOST_ACCOUNTS: 'acme',
        SIGNHOST_ACCOUNT_ACME_SHARED_SECRET: 'acme',
        EVROTRUST_ACCOUNTS: 'sofia',
      }).unauthenticatedProviders,
    ).toEqual([]);
  });
});

describe('workflow ids', () => {
  it("carry a named account after the provider, and the default account's stay as they were", () => {
    const ref = { provider: 'evrotrust', kind: 'signing' as const, externalId: 'a:b' };
    expect(workflowIdFor(ref)).toBe('signing:evrotrust:a:b');
    expect(workflowIdFor({ ...ref, account: 'sofia' })).toBe('signing:evrotrust@sofia:a:b');
    expect(parseWorkflowId('signing:evrotrust@sofia:a:b')).toEqual({ ...ref, account: 'sofia' });
    expect(parseWorkflowId('signing:evrotrust:a:b')).toEqual(ref);
    expect(parseWorkflowId('signing:evrotrust@:a')).toBeUndefined();
    expect(accountOfWorkflowId('signing:evrotrust@sofia:a:b')).toBe('sofia');
    expect(accountOfWorkflowId('signing:evrotrust:x@y')).toBeUndefined();
  });
});
