// Signhost postbacks (docs/providers/signhost.md). Signhost asks to be answered 2xx even
// when validation fails, so the sender learns nothing about it: every refusal answers 200
// (still logged and counted by the pipeline). Only a valid postback that Temporal did not
// accept answers 503, which makes Signhost queue and retry it.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { secretsEqual } from '../kit/secrets-equal';
import type { SignhostSettings } from './config';
import {
  describeIssues,
  standardAnswer,
  UNVERIFIED,
  VERIFIED,
  VERIFIED_BY_PREVIOUS,
  type CallbackRequest,
  type ParsedCallback,
  type Provider,
  type RawCallback,
  type SenderVerdict,
} from '../provider';
import { parseSignhostTransaction, signhostEvents } from './transaction';
import { matchSecret, type SecretMatch } from '../secrets';

/** Lowercase hex SHA-1 of `{Id}||{Status}|{secret}`; the empty slot is the legacy file id. */
export function signhostChecksum(id: string, status: number, sharedSecret: string): string {
  return createHash('sha1').update(`${id}||${status}|${sharedSecret}`, 'utf8').digest('hex');
}

/** The three fields the checksum covers or carries, read straight from the raw body. */
const signedFields = z.object({
  Id: z.string().min(1).max(200),
  Status: z.number().int(),
  Checksum: z.string().nullish().catch(undefined),
});

function readSignedFields(rawBody: Buffer): z.infer<typeof signedFields> | undefined {
  try {
    return signedFields.safeParse(JSON.parse(rawBody.toString('utf8'))).data;
  } catch {
    return undefined;
  }
}

/**
 * Whether the postback proves it comes from Signhost. With a shared secret configured, a
 * postback without a matching checksum is refused (Signhost's advised flow), taken from the
 * `Checksum` header first and the body second, as the official client does. The checksum
 * covers the body's `Id` and `Status`, so only those two are read here, before the rest.
 *
 * Without a shared secret nothing can be verified, so the postback counts as unauthenticated:
 * it may update transactions the application registered but never creates one. A checksum we
 * cannot verify is not refused: a forger could just as well leave it out, and refusing would
 * silently drop every real postback of an operator who forgot to set the secret.
 *
 * `header`: how the security header matched, so a postback that used a retiring value for
 * either credential is counted as such.
 */
function checksumVerdict(
  req: RawCallback,
  secrets: { sharedSecret?: string; sharedSecretPrevious?: string },
  header: SecretMatch | 'unset',
): SenderVerdict {
  const byPrevious = header === 'previous';
  if (secrets.sharedSecret === undefined)
    return byPrevious ? { kind: 'sender', verified: false, previousSecret: true } : UNVERIFIED;
  const postback = readSignedFields(req.rawBody);
  if (!postback)
    return { kind: 'refused', refusal: 'unauthorized', detail: 'no Id and Status to check a checksum against' };
  const given = req.headers['checksum'] || postback.Checksum;
  if (!given) return { kind: 'refused', refusal: 'unauthorized', detail: 'no checksum' };
  const checksum = given.trim().toLowerCase();
  const match = matchSecret(secrets.sharedSecret, secrets.sharedSecretPrevious, (secret) =>
    secretsEqual(checksum, signhostChecksum(postback.Id, postback.Status, secret)),
  );
  if (match === undefined) return { kind: 'refused', refusal: 'unauthorized', detail: 'checksum mismatch' };
  return verdict(byPrevious || match === 'previous');
}

const verdict = (byPrevious: boolean) => (byPrevious ? VERIFIED_BY_PREVIOUS : VERIFIED);

export function createSignhost(
  settings: Pick<
    SignhostSettings,
    'allowedIps' | 'sharedSecret' | 'postbackAuthorization' | 'maxActivitiesPerPostback'
  > &
    Partial<Pick<SignhostSettings, 'sharedSecretPrevious' | 'postbackAuthorizationPrevious'>>,
): Provider {
  return {
    name: 'signhost',
    callbackPaths: ['/'],
    allowedIps: settings.allowedIps,
    // Signhost's checksum, not its content type, tells a real postback.
    anyContentType: true,
    authenticate(req: RawCallback): SenderVerdict {
      // Registering a postback URL in the portal sends an empty POST to test it. It carries
      // nothing to apply, so it is acknowledged before any check (it may predate the header).
      if (req.rawBody.length === 0) return UNVERIFIED;
      let header: SecretMatch | 'unset' = 'unset';
      if (settings.postbackAuthorization !== undefined) {
        const given = req.headers['authorization'] ?? '';
        header = matchSecret(settings.postbackAuthorization, settings.postbackAuthorizationPrevious, (value) =>
          secretsEqual(given, value),
        );
        if (header === undefined)
          return { kind: 'refused', refusal: 'unauthorized', detail: 'security header missing or wrong' };
      }
      return checksumVerdict(req, settings, header);
    },
    parseCallback(req: CallbackRequest): ParsedCallback {
      if (req.rawBody.length === 0) return { kind: 'ignored', note: 'empty postback (URL test)' };
      const json = req.json;
      const parsed = parseSignhostTransaction(json, settings.maxActivitiesPerPostback);
      if (!parsed.ok)
        return { kind: 'refused', refusal: 'invalid-payload', detail: describeIssues(parsed.issues, json) };
      const { tx, notes } = parsed.value;
      return {
        kind: 'events',
        ref: { provider: 'signhost', kind: 'signing', externalId: tx.Id },
        events: signhostEvents(tx, 'callback', req.receivedAt),
        ...(notes.length > 0 && { notes }),
      };
    },
    // Not recorded (Temporal down or refusing, or over the transaction's rate): a 5xx, so the
    // postback stays in Signhost's queue and comes back (each one repeats every earlier activity).
    answer: (outcome) =>
      outcome === 'unavailable' || outcome === 'rate-limited'
        ? standardAnswer('unavailable')
        : outcome === 'server-error'
          ? standardAnswer(outcome)
          : { status: 200, body: '' },
  };
}
