import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { temporalConnectionOptions } from '../../src/temporal/connection-options';

const dir = mkdtempSync(join(tmpdir(), 'countersign-tls-'));
const pem = (name: string, body: string) => {
  const path = join(dir, name);
  writeFileSync(path, `-----BEGIN ${body}-----\n`);
  return path;
};
const cert = pem('client.pem', 'CERTIFICATE');
const key = pem('client.key', 'PRIVATE KEY');
const ca = pem('ca.pem', 'CA');

const optionsFor = (env: Record<string, string>) => temporalConnectionOptions(loadConfig(env).temporal);

describe('Temporal connection options', () => {
  it('is plain gRPC to the dev server port when nothing is set', () => {
    expect(optionsFor({})).toEqual({ address: '127.0.0.1:7233' });
    expect(optionsFor({ TEMPORAL_PORT: '7300' })).toEqual({ address: '127.0.0.1:7300' });
    expect(optionsFor({ TEMPORAL_ADDRESS: 'temporal:7233' })).toEqual({ address: 'temporal:7233' });
  });

  it('uses mTLS with the files named, their bytes read', () => {
    const opts = optionsFor({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CERT_PATH: cert,
      TEMPORAL_TLS_KEY_PATH: key,
      TEMPORAL_TLS_CA_PATH: ca,
      TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal',
    });
    expect(opts.address).toBe('temporal.internal:7233');
    expect(opts.apiKey).toBeUndefined();
    expect(opts.tls?.serverNameOverride).toBe('frontend.temporal');
    expect(Buffer.from(opts.tls!.clientCertPair!.crt).toString()).toContain('BEGIN CERTIFICATE');
    expect(Buffer.from(opts.tls!.clientCertPair!.key).toString()).toContain('BEGIN PRIVATE KEY');
    expect(Buffer.from(opts.tls!.serverRootCACertificate!).toString()).toContain('BEGIN CA');
  });

  it('turns TLS on for an API key (Temporal Cloud), with the system CAs', () => {
    const opts = optionsFor({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'key-123' });
    expect(opts).toEqual({ address: 'ns.acct.tmprl.cloud:7233', tls: {}, apiKey: 'key-123' });
  });

  it('turns TLS on alone with TEMPORAL_TLS=true', () => {
    expect(optionsFor({ TEMPORAL_ADDRESS: 'a:7233', TEMPORAL_TLS: 'true' })).toEqual({ address: 'a:7233', tls: {} });
  });

  it('refuses a certificate without its key, naming both variables', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CERT_PATH: cert })).toThrow(ConfigError);
    expect(() => loadConfig({ TEMPORAL_TLS_KEY_PATH: key })).toThrow(
      /TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH/,
    );
  });

  it('names the variable whose file cannot be read', () => {
    expect(() => optionsFor({ TEMPORAL_TLS_CA_PATH: join(dir, 'missing.pem') })).toThrow(
      /TEMPORAL_TLS_CA_PATH: cannot read .*missing\.pem \(ENOENT\)/,
    );
  });

  it('parses the shutdown timeout and the metrics port', () => {
    expect(loadConfig({}).shutdownTimeoutMs).toBe(30_000);
    expect(loadConfig({ SHUTDOWN_TIMEOUT: '2 minutes' }).shutdownTimeoutMs).toBe(120_000);
    expect(loadConfig({ TEMPORAL_METRICS_PORT: '9464' }).temporal.metricsPort).toBe(9464);
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT: 'later' })).toThrow(/SHUTDOWN_TIMEOUT/);
  });
});
