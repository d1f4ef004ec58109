// The notification secret is read the way the official Standard Webhooks library reads it: the
// library itself (npm `standardwebhooks`) is the oracle, over generated keys and strings.
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import {
  InvalidWebhookSecretError,
  webhookKey,
  webhookSecretProblem,
  webhookSignature,
} from '../../src/platform/webhook-signature';

const ID = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
const AT = new Date(1_767_225_600_000);
const BODY = '{"status":"signed"}';

/** What the library signs with this secret, or undefined when its constructor refuses it. */
function librarySignature(secret: string): string | undefined {
  let wh: Webhook;
  try {
    wh = new Webhook(secret);
  } catch {
    return undefined;
  }
  return wh.sign(ID, AT, BODY);
}
const ours = (secret: string) => webhookSignature(webhookKey(secret), ID, AT.getTime() / 1000, BODY);

describe('the notification secret', () => {
  it('gives the library’s key for any key bytes, with and without whsec_', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 96 }), fc.boolean(), (bytes, prefixed) => {
        const secret = `${prefixed ? 'whsec_' : ''}${Buffer.from(bytes).toString('base64')}`;
        expect(webhookSecretProblem(secret)).toBeUndefined();
        expect(ours(secret)).toBe(librarySignature(secret));
      }),
      { numRuns: 500 },
    );
  });

  it('accepts only secrets the library reads the same way, whatever the string', () => {
    const alphabet = fc.constantFrom(
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_*. '.split(''),
    );
    fc.assert(
      fc.property(fc.boolean(), fc.string({ unit: alphabet, maxLength: 40 }), (prefixed, rest) => {
        const secret = `${prefixed ? 'whsec_' : ''}${rest}`;
        if (webhookSecretProblem(secret) !== undefined) {
          expect(() => webhookKey(secret)).toThrow(InvalidWebhookSecretError);
        } else {
          expect(ours(secret)).toBe(librarySignature(secret));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 24],
    ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 24],
    ['c2VjcmV0', 6],
    ['c2VjcmV0MQ==', 7],
    ['whsec_c2VjcmV0MTI=', 8],
  ])('decodes %s to %i bytes, as the library does', (secret, length) => {
    expect(webhookKey(secret)).toHaveLength(length);
    expect(ours(secret)).toBe(librarySignature(secret));
  });

  it.each([
    // Refused by the library too.
    ['plain-shared-secret', true],
    ['whsec_not*base64', true],
    ['whsec_', true],
    ['c2VjcmV0====', true],
    ['whsec_c2VjcmV0MQ=x', true],
    // Accepted by the JavaScript library, refused by Go's (missing padding) or by Python's and Go's (a stray last character).
    ['c2VjcmV0MQ', false],
    ['c2VjcmV0M', false],
    ['c2VjcmV0*', false],
  ])('refuses %s (the JavaScript library refuses it too: %s), without echoing it', (secret, libraryRefuses) => {
    expect(librarySignature(secret) === undefined).toBe(libraryRefuses);
    expect(webhookSecretProblem(secret)).toBeDefined();
    expect(() => webhookKey(secret)).toThrow(InvalidWebhookSecretError);
    let message = '';
    try {
      webhookKey(secret);
    } catch (err) {
      message = (err as Error).message;
    }
    if (secret.length > 6) expect(message).not.toContain(secret.replace(/^whsec_/, ''));
  });
});
