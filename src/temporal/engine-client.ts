import { Client, type ConnectionLike } from '@temporalio/client';
import type { Config } from '../config';
import { createDataConverter } from '../encryption/data-converter';
import { tracingClientInterceptors, tracingFor } from '../tracing/temporal';

/** The client every Countersign process uses: the configured namespace, payloads encrypted with the configured keys. */
export function engineClient(
  connection: ConnectionLike,
  config: Pick<Config, 'temporal' | 'encryption' | 'tracing'>,
): Client {
  return new Client({
    // Signals, starts and updates carry the caller's trace context (a callback's, a registration's).
    interceptors: tracingClientInterceptors(tracingFor(config)),
    connection,
    namespace: config.temporal.namespace,
    dataConverter: createDataConverter(config.encryption),
  });
}
