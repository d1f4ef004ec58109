// Refusals that teach: a 400's detail names each field at fault and what it should hold,
// says `missing` for an absent one, and never repeats a value (it may be personal data).
import { registerTransactionBody } from '../../src/api/transaction-schemas';
import { evrotrustCallbackSchema } from '../../src/providers/evrotrust';
import { createPortalDeAssinaturas, portalDeAssinaturas } from '../../src/providers/portal-de-assinaturas';
import { describeIssues, type IssueLike } from '../../src/providers/provider';
import { testConfig } from '../helpers/config';
import { receiveCallback } from '../../src/providers/provider';
import { settingsOf } from '../../src/providers/module';

function detailOf(
  schema: { safeParse(v: unknown): { success: boolean; error?: { issues: IssueLike[] } } },
  input: unknown,
): string {
  const parsed = schema.safeParse(input);
  expect(parsed.success).toBe(false);
  return describeIssues(parsed.error!.issues, input);
}

it('names a missing field, with the types a union would take', () => {
  expect(detailOf(evrotrustCallbackSchema, { status: 2 })).toBe('transactionID: missing (expected string or number)');
});

it('names a missing enum field with its options', () => {
  expect(detailOf(registerTransactionBody, { externalId: 'x' })).toBe(
    'provider: missing (expected one of "evrotrust", "signhost", "signicat", "portal-de-assinaturas")',
  );
});

it('says what a wrong field should hold without repeating what was sent', () => {
  const secretish = 'Maria Souza 307.625.739-02';
  const detail = detailOf(registerTransactionBody, { provider: secretish, externalId: 'x', reference: 42 });
  expect(detail).toContain('provider: Invalid option');
  expect(detail).toContain('reference: Invalid input: expected string, received number');
  expect(detail).not.toContain('Maria');
  expect(detail).not.toContain('307');
});

it('names an unknown field, so a typo is found at once', () => {
  expect(detailOf(registerTransactionBody, { provider: 'evrotrust', externalId: 'x', step: [] })).toBe(
    '(body): Unrecognized key: "step"',
  );
});

it('reports a nested missing field with its path', () => {
  expect(
    detailOf(registerTransactionBody, {
      provider: 'evrotrust',
      externalId: 'x',
      steps: { onSigned: [{ maximumAttempts: 3 }] },
    }),
  ).toContain('steps.onSigned.0');
});

it('Portal de Assinaturas names its fields as its documentation spells them, and names the action field', () => {
  const portal = createPortalDeAssinaturas(settingsOf(testConfig(), portalDeAssinaturas));
  const outcome = (json: unknown) =>
    receiveCallback(portal, {
      path: '/',
      headers: {},
      rawBody: Buffer.from(JSON.stringify(json)),
      json,
      receivedAt: new Date().toISOString(),
    });
  expect(outcome({ documentID: 1 })).toMatchObject({
    kind: 'refused',
    refusal: 'invalid-payload',
    detail: 'action: missing (expected string)',
  });
  expect(outcome({ action: 'FLOW' })).toMatchObject({
    kind: 'refused',
    detail: 'documentId: missing (expected string or number)',
  });
});
