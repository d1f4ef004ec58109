// How the built-in steps fail. A step's retry policy (set in the step plan) retries anything
// that is not marked non-retryable, so every failure that retrying cannot fix says so, with a
// `type` operators see in the step record (`state.steps[].error`) and the Web UI.
import { ApplicationFailure, Context } from '@temporalio/activity';

export const STEP_FAILURE = {
  /** The step does not apply to this provider or kind of transaction. */
  unsupportedProvider: 'UnsupportedProvider',
  /** Only a signed transaction has a signed document. */
  notSigned: 'NotSigned',
  /** Nothing in the transaction says where the signed document is. */
  noDocumentLink: 'NoDocumentLink',
  /** The step needs a setting (credentials, URL, secret) that is not configured. */
  notConfigured: 'StepNotConfigured',
  /** The remote side refused the request for good (4xx other than 408 and 429). */
  rejected: 'RequestRejected',
  /** The remote side failed in a way a later attempt may not (5xx, 408, 429, 3xx). */
  unavailable: 'RemoteUnavailable',
  /** Signhost: the transaction was cleaned up (410 Gone); its files are no longer available. */
  gone: 'DocumentGone',
  /** The answer is not a document we can store. */
  badResponse: 'InvalidDocumentResponse',
  tooLarge: 'DocumentTooLarge',
} as const;

export function nonRetryable(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** Non-2xx: 4xx other than 408 (timeout) and 429 (slow down) will fail the same way again. */
export function httpFailure(status: number, what: string): ApplicationFailure {
  const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
  return ApplicationFailure.create({
    type: permanent ? STEP_FAILURE.rejected : STEP_FAILURE.unavailable,
    message: `${what} answered HTTP ${status}`,
    nonRetryable: permanent,
  });
}

/** Aborts the request when it takes too long, or when Temporal cancels the activity. */
export function requestSignal(timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  let cancelled: AbortSignal | undefined;
  try {
    cancelled = Context.current().cancellationSignal;
  } catch {
    // Called outside an activity (a script, a unit test): only the timeout applies.
  }
  return cancelled ? AbortSignal.any([timeout, cancelled]) : timeout;
}
