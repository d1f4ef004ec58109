// Failure messages and stack traces go into an encoded payload (so through the encryption
// codec) instead of the failure's plain-text fields: a reject reason in an error message must
// not reach Temporal in clear. Loaded by path (DataConverter.failureConverterPath), also inside
// the workflow sandbox, so it imports nothing but the SDK's common package.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
