// How every process reaches Temporal: one answer for the client's Connection (receivers,
// application API) and the worker's NativeConnection, so TLS and API-key settings can never
// differ between the two.
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import { ConfigError, type Config } from '../config';

/** Accepted as-is by both `Connection.connect` and `NativeConnection.connect`. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(
      `Invalid configuration:\n  ${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/** The cluster named by TEMPORAL_ADDRESS (or the local dev server port), with TLS and API key. */
export function temporalConnectionOptions(temporal: Config['temporal']): TemporalConnectionOptions {
  const address = temporal.address ?? `127.0.0.1:${temporal.devServer.port}`;
  const { tls } = temporal;
  // Temporal Cloud's API keys travel only over TLS; the SDK would switch it on too, but being
  // explicit keeps the two connections identical.
  if (!tls.enabled && !temporal.apiKey) return { address };
  const config: TLSConfig = {};
  if (tls.serverName) config.serverNameOverride = tls.serverName;
  if (tls.caPath) config.serverRootCACertificate = readPem('TEMPORAL_TLS_CA_PATH', tls.caPath);
  if (tls.certPath && tls.keyPath) {
    config.clientCertPair = {
      crt: readPem('TEMPORAL_TLS_CERT_PATH', tls.certPath),
      key: readPem('TEMPORAL_TLS_KEY_PATH', tls.keyPath),
    };
  }
  return { address, tls: config, ...(temporal.apiKey && { apiKey: temporal.apiKey }) };
}
