// Properties of every provider's pure parseCallback: it never throws, whatever arrives; what
// it returns can cross a Temporal payload; garbage, broken credentials and broken fields never
// become events; fields the receiver does not read change nothing.
import fc from 'fast-check';
import { createProviders } from '../../src/providers';
import type { CallbackOutcome, CallbackRequest, Provider } from '../../src/providers/provider';
import { testConfig } from '../helpers/config';
import { SECRETS, SPECS, type ProviderSpec } from '../helpers/provider-specs';
import { receiveCallback } from '../../src/providers/provider';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 600);
const providers = createProviders(testConfig({ ...SECRETS }));
const providerOf = (spec: ProviderSpec): Provider => providers[spec.provider];

/** What the pipeline hands a provider: the raw body and what JSON.parse made of it. */
function request(text: string, headers: Record<string, string | undefined>): CallbackRequest {
  let json: unknown;
  if (text.length > 0) json = JSON.parse(text);
  return { path: '/', headers, rawBody: Buffer.from(text, 'utf8'), json, receivedAt: '2026-01-01T00:00:00.000Z' };
}

/** JSON text of an object with these entries in order; `__proto__` stays an own key, as JSON.parse makes it. */
const objectText = (entries: Array<[string, unknown]>) =>
  `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v instanceof Raw ? v.text : JSON.stringify(v)}`).join(',')}}`;
const entriesOf = (body: Record<string, unknown>) => Object.entries(body);

// Strings providers do not expect: control characters, lone surrogates, bidi overrides, BOM,
// zero-width joiners, fullwidth digits, combining marks, astral symbols.
const ODD = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\u202e',
  '\ufeff',
  '\u200b',
  '\u200d',
  '\uff12',
  '\u0301',
  '\u{1f4dd}',
  '\u2028',
  '"',
  '\\',
];
const oddUnit = fc.oneof(
  fc.constantFrom(...ODD),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);
const oddString = fc.string({ unit: oddUnit, maxLength: 40 });
const jsonish = fc.jsonValue({ maxDepth: 4, stringUnit: oddUnit });
const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
];
const keyArb = fc.oneof(fc.constantFrom(...PROTO_KEYS), oddString, fc.string());

// Deep values as JSON text: JSON.parse takes any depth, JSON.stringify does not.
const deepArrayText = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObjectText = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
/** Marks a value already written as JSON text. */
class Raw {
  constructor(readonly text: string) {}
}
const deepArray = (depth: number) => JSON.parse(deepArrayText(depth)) as unknown;
const deepObject = (depth: number) => JSON.parse(deepObjectText(depth)) as unknown;

/** A value of the wrong type for any id, status or action field. */
const wrongType = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.array(jsonish, { maxLength: 3 }),
  fc.dictionary(keyArb, jsonish, { maxKeys: 3 }),
  fc.constantFrom(deepArray(1_000), deepObject(1_000)),
);

function expectWellFormed(outcome: CallbackOutcome) {
  expect(['events', 'ignored', 'refused']).toContain(outcome.kind);
  // Events become signal payloads: they must survive JSON (no cycles, no runaway depth).
  expect(() => JSON.parse(JSON.stringify(outcome)) as unknown).not.toThrow();
  if (outcome.kind === 'events') expect(outcome.events.length).toBeGreaterThan(0);
}

const credentials = (spec: ProviderSpec) => spec.valid('x').headers;

describe.each(SPECS)('$label: parseCallback', (spec) => {
  const provider = providerOf(spec);
  const valid = spec.valid('tx-1');
  const accepted = receiveCallback(provider, request(JSON.stringify(valid.body), valid.headers));

  // That the valid sample, the base every property breaks one thing in, is accepted is the
  // conformance suite's first check (test/conformance/provider-conformance.ts).

  it('never throws and always answers something a payload can carry, for any JSON and any headers', () => {
    fc.assert(
      fc.property(
        jsonish,
        fc.dictionary(
          fc.oneof(fc.constantFrom('authorization', 'checksum', 'x-callback-token', 'content-type'), fc.string()),
          oddString,
        ),
        fc.boolean(),
        (json, headers, withCredentials) => {
          const outcome = receiveCallback(
            provider,
            request(JSON.stringify(json), withCredentials ? { ...headers, ...credentials(spec) } : headers),
          );
          expectWellFormed(outcome);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never turns garbage into events, even with the right credentials', () => {
    fc.assert(
      fc.property(jsonish, (json) => {
        const outcome = receiveCallback(provider, request(JSON.stringify(json), credentials(spec)));
        expect(outcome.kind).toBe('refused');
      }),
      { numRuns: RUNS },
    );
  });

  // Signhost's checksum covers the id and the status: without them a signed postback cannot be
  // verified, so it is refused as unauthenticated before its shape is looked at.
  const idOrStatusRefusal = spec.provider === 'signhost' ? 'unauthorized' : 'invalid-payload';

  it('refuses a required field removed or given the wrong type', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(spec.idField, spec.statusField),
        fc.option(wrongType, { nil: undefined }),
        (field, value) => {
          const entries = entriesOf(valid.body).filter(([k]) => k !== field);
          if (value !== undefined) entries.push([field, value]);
          const outcome = receiveCallback(provider, request(objectText(entries), valid.headers));
          expectWellFormed(outcome);
          expect(outcome).toMatchObject({ kind: 'refused', refusal: idOrStatusRefusal });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('ignores fields it does not read, whatever their name or value (__proto__ and constructor included)', () => {
    const extraKey = keyArb.filter((k) => !spec.knownFields.includes(k.toLowerCase()));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(extraKey, fc.oneof(jsonish, wrongType)), { maxLength: 4, selector: ([k]) => k }),
        fc.nat(),
        (extras, at) => {
          const entries = entriesOf(valid.body);
          entries.splice(at % (entries.length + 1), 0, ...extras);
          const outcome = receiveCallback(provider, request(objectText(entries), valid.headers));
          expect(outcome).toEqual(accepted);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses the id or status hidden under __proto__ or constructor', () => {
    for (const holder of ['__proto__', 'constructor']) {
      for (const field of [spec.idField, spec.statusField]) {
        const entries = entriesOf(valid.body).filter(([k]) => k !== field);
        entries.push([holder, { [field]: valid.body[field] }]);
        const outcome = receiveCallback(provider, request(objectText(entries), valid.headers));
        expect(outcome).toMatchObject({ kind: 'refused', refusal: idOrStatusRefusal });
      }
    }
  });

  it('does not throw on deep nesting anywhere: as the body, in a field, in an extra field, or twice', () => {
    for (const deep of [new Raw(deepArrayText(50_000)), new Raw(deepObjectText(50_000))]) {
      expectWellFormed(receiveCallback(provider, request(deep.text, valid.headers)));
      for (const field of [spec.idField, spec.statusField]) {
        const broken = receiveCallback(
          provider,
          request(objectText(entriesOf({ ...valid.body, [field]: deep })), valid.headers),
        );
        expectWellFormed(broken);
        expect(broken).toMatchObject({ kind: 'refused' });
      }
      // Fields it keeps (reason, info, ...) must not carry runaway depth into a payload either.
      for (const field of Object.keys(valid.body)) {
        expectWellFormed(
          receiveCallback(provider, request(objectText(entriesOf({ ...valid.body, [field]: deep })), valid.headers)),
        );
      }
      expect(
        receiveCallback(provider, request(objectText([...entriesOf(valid.body), ['unexpected', deep]]), valid.headers)),
      ).toEqual(accepted);
      // The same field spelled twice (Portal de Assinaturas reads names case-insensitively).
      const twice = objectText([
        ...entriesOf(valid.body),
        [spec.idField.toUpperCase(), deep],
        [spec.idField.toLowerCase(), deep],
      ]);
      expectWellFormed(receiveCallback(provider, request(twice, valid.headers)));
    }
  });

  it('keeps odd unicode in ids and statuses from crashing it, and names the transaction exactly as sent', () => {
    fc.assert(
      fc.property(oddString, fc.constantFrom(spec.idField, spec.statusField), (value, field) => {
        const outcome = receiveCallback(
          provider,
          request(objectText(entriesOf({ ...valid.body, [field]: value })), valid.headers),
        );
        expectWellFormed(outcome);
        if (outcome.kind === 'events' && field === spec.idField) expect(outcome.ref.externalId).toBe(value.trim());
      }),
      { numRuns: RUNS },
    );
  });

  if (spec.credentialHeaders.length > 0) {
    it('refuses a missing or wrong credential header as unauthorized', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...spec.credentialHeaders),
          fc.option(oddString, { nil: undefined }),
          (header, value) => {
            const headers: Record<string, string | undefined> = { ...valid.headers, [header]: value };
            fc.pre(value !== valid.headers[header]);
            const outcome = receiveCallback(provider, request(JSON.stringify(valid.body), headers));
            expect(outcome).toMatchObject({ kind: 'refused', refusal: 'unauthorized' });
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});

describe('signhost: checksum', () => {
  const spec = SPECS.find((s) => s.provider === 'signhost')!;
  const provider = providerOf(spec);

  it('refuses any checksum but the right one, in the body or the Checksum header', () => {
    const valid = spec.valid('tx-2');
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-f]{40}$/), oddString),
        fc.boolean(),
        (checksum, inHeader) => {
          fc.pre(checksum.trim().toLowerCase() !== valid.body.Checksum);
          const body = inHeader ? { ...valid.body, Checksum: undefined } : { ...valid.body, Checksum: checksum };
          const headers = inHeader ? { ...valid.headers, checksum } : valid.headers;
          const outcome = receiveCallback(provider, request(JSON.stringify(body), headers));
          expect(outcome).toMatchObject({ kind: 'refused', refusal: 'unauthorized' });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses a right checksum moved onto another status or transaction', () => {
    const valid = spec.valid('tx-3');
    for (const change of [{ Status: 40 }, { Status: 10 }, { Id: 'tx-4' }]) {
      const outcome = receiveCallback(provider, request(JSON.stringify({ ...valid.body, ...change }), valid.headers));
      expect(outcome).toMatchObject({ kind: 'refused', refusal: 'unauthorized' });
    }
  });
});
