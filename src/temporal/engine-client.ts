import { Client, type ConnectionLike } from '@temporalio/client';
import type { Config } from '../config';
import { createDataConverter } from '../encryption/data-converter';

/** The client every Countersign process uses: the configured namespace, payloads encrypted with the configured keys. */
export function engineClient(connection: ConnectionLike, config: Pick<Config, 'temporal' | 'encryption'>): Client {
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: createDataConverter(config.encryption),
  });
}
