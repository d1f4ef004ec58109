import type { Config } from '../config';
import type { Logger } from '../platform/logger';

/**
 * A role joining a cluster without payload keys still runs (a first deployment must be able to
 * start), but says, at every start, that Temporal stores names, CPFs and reasons in clear.
 */
export function warnIfPlaintext(config: Pick<Config, 'encryption'>, logger: Logger): void {
  if (config.encryption.keys.length > 0) return;
  logger.warn(
    { variable: 'COUNTERSIGN_ENCRYPTION_KEYS' },
    'payload encryption is off: Temporal stores personal data from callbacks in plaintext; set COUNTERSIGN_ENCRYPTION_KEYS (docs/personal-data.md)',
  );
}
