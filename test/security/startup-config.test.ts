// Attacks 1, 2, 5 and 7 at startup: what the configuration lets through before any request.
import { checkApiExposure } from '../../src/api/api-exposure';
import { ConfigError, loadConfig } from '../../src/config';
import { createAllowlist } from '../../src/providers/kit/address-allowlist';
import { evrotrust } from '../../src/providers/evrotrust';
import { settingsOf } from '../../src/providers/module';

const credentials = {
  EVROTRUST_ALLOWED_IPS: '203.0.113.10',
  SIGNHOST_SHARED_SECRET: 'shh',
  SIGNICAT_CALLBACK_AUTHORIZATION: 'Bearer cb',
  PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: 'X-Token: abc',
};

function message(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  return '';
}

describe('production refuses providers whose callbacks nothing authenticates', () => {
  it('names every such provider and the variables that fix it', () => {
    const text = message({ NODE_ENV: 'production' });
    expect(text).toMatch(/evrotrust: .*EVROTRUST_ALLOWED_IPS.*EVROTRUST_ALLOW_UNAUTHENTICATED=true/);
    expect(text).toMatch(
      /signhost: .*SIGNHOST_SHARED_SECRET or SIGNHOST_POSTBACK_AUTHORIZATION or SIGNHOST_ALLOWED_IPS/,
    );
    expect(text).toMatch(/signicat: .*SIGNICAT_CALLBACK_AUTHORIZATION or SIGNICAT_ALLOWED_IPS/);
    expect(text).toMatch(/portal-de-assinaturas: .*PORTAL_DE_ASSINATURAS_CALLBACK_HEADER/);
  });

  it('names only the provider still missing a guard', () => {
    const text = message({ NODE_ENV: 'production', ...credentials, SIGNICAT_CALLBACK_AUTHORIZATION: '' });
    expect(text).toMatch(/signicat/);
    expect(text).not.toMatch(/evrotrust|signhost|portal/);
  });

  it('starts with a guard per provider, or with the explicit opt-out', () => {
    expect(loadConfig({ NODE_ENV: 'production', ...credentials }).unauthenticatedProviders).toEqual([]);
    const c = loadConfig({
      NODE_ENV: 'production',
      ...credentials,
      EVROTRUST_ALLOWED_IPS: '',
      EVROTRUST_ALLOW_UNAUTHENTICATED: 'true',
    });
    expect(c.unauthenticatedProviders).toEqual(['evrotrust']);
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        ...credentials,
        EVROTRUST_ALLOWED_IPS: '',
        EVROTRUST_ALLOW_UNAUTHENTICATED: 'yes please',
      }),
    ).toThrow(/EVROTRUST_ALLOW_UNAUTHENTICATED/);
  });

  it('outside production starts with nothing configured and lists what is unauthenticated', () => {
    const c = loadConfig({});
    expect(c.production).toBe(false);
    expect(c.unauthenticatedProviders).toEqual(['evrotrust', 'signhost', 'signicat', 'portal-de-assinaturas']);
  });
});

describe('the API is never open to other hosts without a token', () => {
  it('binds to loopback by default outside production, to every interface in production', () => {
    expect(loadConfig({}).http.host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'production', ...credentials }).http.host).toBe('0.0.0.0');
  });

  it('refuses to serve the API on a non-loopback address without COUNTERSIGN_API_TOKEN', () => {
    expect(() => checkApiExposure(loadConfig({ HOST: '0.0.0.0' }).http)).toThrow(
      /COUNTERSIGN_API_TOKEN.*HOST=0\.0\.0\.0/,
    );
    expect(() => checkApiExposure(loadConfig({ NODE_ENV: 'production', ...credentials }).http)).toThrow(ConfigError);
    expect(() => checkApiExposure(loadConfig({ HOST: '::' }).http)).toThrow(/COUNTERSIGN_API_TOKEN/);
    expect(() => checkApiExposure(loadConfig({ HOST: '0.0.0.0', COUNTERSIGN_API_TOKEN: 't0ken' }).http)).not.toThrow();
    for (const host of ['127.0.0.1', '::1', 'localhost'])
      expect(() => checkApiExposure(loadConfig({ HOST: host }).http)).not.toThrow();
  });
});

describe('allowlist entries are parsed strictly at startup', () => {
  it.each([
    '191.235.80.91/',
    '10.0.0.0/8/32',
    '10.0.0.1/0x20',
    '10.0.0.0/ 8',
    '10.0.0.0/33',
    '2001:db8::/129',
    '10.0.0.0/08',
    'fe80::1%eth0',
    '10.0.0',
    'example.com',
  ])('refuses %p, naming the variable and the entry', (entry) => {
    const text = message({ SIGNICAT_ALLOWED_IPS: `203.0.113.1, ${entry}` });
    expect(text).toContain('SIGNICAT_ALLOWED_IPS');
    expect(text).toContain(`"${entry.trim()}"`);
  });

  it('refuses a bad TRUSTED_PROXIES entry too', () => {
    expect(message({ TRUSTED_PROXIES: '10.0.0.1/' })).toMatch(/TRUSTED_PROXIES.*"10\.0\.0\.1\/"/);
  });

  it('still accepts IPv4, IPv6, CIDRs of both and the Portal keywords', () => {
    const c = loadConfig({
      EVROTRUST_ALLOWED_IPS: '191.235.80.91, 10.0.0.0/8, 2001:db8::/32, ::1',
      PORTAL_DE_ASSINATURAS_ALLOWED_IPS: 'production, 192.0.2.0/24',
    });
    expect(settingsOf(c, evrotrust).allowedIps).toEqual(['191.235.80.91', '10.0.0.0/8', '2001:db8::/32', '::1']);
    const allowed = createAllowlist(settingsOf(c, evrotrust).allowedIps);
    expect([allowed('191.235.80.91'), allowed('::ffff:10.2.3.4'), allowed('2001:db8::5'), allowed('::1')]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    // The entry that once became /0: nothing outside the list gets in.
    expect([allowed('8.8.8.8'), allowed('191.235.80.92'), allowed('2001:db9::1')]).toEqual([false, false, false]);
  });
});

describe('request timeouts sized for callbacks', () => {
  it('defaults to seconds, not minutes, and refuses a request timeout shorter than the headers one', () => {
    expect(loadConfig({}).http).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 });
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT: '5s', HTTP_HEADERS_TIMEOUT: '10s' })).toThrow(
      /HTTP_REQUEST_TIMEOUT/,
    );
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT: 'forever' })).toThrow(/HTTP_HEADERS_TIMEOUT/);
  });
});
