import { ConfigError, type Config } from '../config';
import { isLoopbackBind } from './api-auth';

/**
 * The application API registers transactions and reads their states (personal data): a server
 * reachable from other hosts must demand the token. Checked by the processes that serve the
 * API (the worker's own port has none), before they listen.
 */
export function checkApiExposure(http: Config['http']): void {
  if (http.apiToken !== undefined || isLoopbackBind(http.host)) return;
  throw new ConfigError(
    `Invalid configuration:\n  COUNTERSIGN_API_TOKEN: required when the API listens on a non-loopback address (HOST=${http.host}); set it, or HOST=127.0.0.1`,
  );
}
