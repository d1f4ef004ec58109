// The one DataConverter every Temporal client and worker of Countersign uses: receivers,
// application API, worker, operator CLI, demo, benchmark and replay tests.
import type { DataConverter } from '@temporalio/common';
import type { EncryptionKey } from './keys';
import { EncryptionCodec } from './payload-codec';

/** For Worker.create, the Client and bundleWorkflowCode alike. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/** Without keys, the SDK's defaults: payloads and failure messages in plaintext. */
export function createDataConverter(encryption: { keys: readonly EncryptionKey[] }): DataConverter {
  if (encryption.keys.length === 0) return {};
  return { failureConverterPath: FAILURE_CONVERTER_PATH, payloadCodecs: [new EncryptionCodec(encryption.keys)] };
}
