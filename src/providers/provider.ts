// The callback side every provider implements. A provider's quirks (payload casing, status
// codes, how it authenticates, how it wants to be answered) live in its module and nowhere
// else; the receiver pipeline and the workflows are provider-agnostic.
import type { FollowUpRequest, FollowUpResult, ProviderEvent, ProviderName, TransactionRef } from '../common/types';

/** A request as it arrived, before anything reads its body. */
export interface RawCallback {
  /** Path below the provider's mount point, e.g. `/` or `/document/ready`. */
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  /** The body exactly as received. */
  rawBody: Buffer;
  /** ISO time the request arrived. */
  receivedAt: string;
}

/** A request whose sender has been checked, with its body read as JSON. */
export interface CallbackRequest extends RawCallback {
  /** Parsed JSON, or undefined when the body was empty. */
  json: unknown;
}

/** Why a callback was not accepted; also the `reason` label of the refusal metric. */
export const REFUSALS = [
  'unsupported-media-type',
  'too-large',
  'malformed-json',
  'invalid-payload',
  'unauthorized',
  'forbidden-address',
  'unknown-transaction',
  /** Temporal could not be reached: the sender should retry. */
  'unavailable',
  /** The transaction's callbacks are over their rate (src/receivers/transaction-rate-limit.ts). */
  'rate-limited',
  /** Temporal refused the request (a misconfigured cluster): not recorded, logged with its cause. */
  'server-error',
] as const;
export type Refusal = (typeof REFUSALS)[number];

/**
 * Who sent a request. `verified`: it proved it comes from the provider (checksum, shared
 * header); only then may it create an `unregistered` workflow for a transaction the
 * application has not registered yet. Unverified callbacks reach only registered ones.
 */
export type SenderVerdict =
  | {
      kind: 'sender';
      verified: boolean;
      /** It proved itself with a secret being retired (`…_PREVIOUS`): counted, so the operator knows when to drop it. */
      previousSecret?: boolean;
    }
  | Refused;

type Refused = { kind: 'refused'; refusal: Refusal; detail: string };

/** What a callback says. */
export type ParsedCallback =
  | {
      kind: 'events';
      ref: TransactionRef;
      events: ProviderEvent[];
      /** Extra data the workflow needs to start (e.g. Signicat's dossier id). */
      dossierId?: string;
      /** Parts of the body left out (malformed or over a limit), logged by the receiver. */
      notes?: string[];
    }
  /** Valid but carries nothing to apply (e.g. Signhost's empty test POST). */
  | { kind: 'ignored'; note: string }
  | Refused;

/** Both together: what the receiver acts on. */
export type CallbackOutcome =
  | Exclude<ParsedCallback, { kind: 'events' }>
  | (Extract<ParsedCallback, { kind: 'events' }> & { authenticated: boolean });

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string | Record<string, unknown>;
}

export interface Provider {
  name: ProviderName;
  /** A named account's receiver (docs/accounts.md): served under `/callbacks/{name}/{account}`. */
  account?: string;
  /** Paths under `/callbacks/{name}` that the provider posts to. */
  callbackPaths: string[];
  /** Sender addresses or CIDRs; empty allows everyone. */
  allowedIps: string[];
  /**
   * Read the body as JSON whatever its content type says: for a provider that proves its
   * postbacks otherwise and never resends a refused one.
   */
  anyContentType?: boolean;
  /**
   * Optional: the value a body that is not valid JSON was meant to be, for a defect the
   * provider's own documentation shows (undefined: still malformed). Must not throw.
   */
  repairJson?(text: string): unknown;
  /** Configuration gaps an operator should know about (logged once at startup). */
  warnings?: string[];
  /**
   * Who sent this, from the raw body and headers only: runs before the body is parsed, so a
   * sender that cannot prove itself learns nothing about the body's expected shape. Must not
   * throw on any input.
   */
  authenticate(req: RawCallback): SenderVerdict;
  /** Turns an authenticated-or-allowed request into events, or says why not. Must not throw. */
  parseCallback(req: CallbackRequest): ParsedCallback;
  /** How this provider expects to be answered, for acceptance and for each refusal. */
  answer(outcome: 'accepted' | Refusal): Answer;
  /** Asks the provider what happened when it stayed silent (poll or re-notify). */
  followUp?(req: FollowUpRequest): Promise<FollowUpResult>;
}

/**
 * The receiver's order for a request whose body is already read: the sender first, then the
 * body. Tests and tools use it; the router runs the same two steps with JSON parsing between.
 */
export function receiveCallback(provider: Provider, req: CallbackRequest): CallbackOutcome {
  const sender = provider.authenticate(req);
  if (sender.kind === 'refused') return sender;
  return attributed(provider.parseCallback(req), sender.verified);
}

/**
 * What a callback says, with who said it: whether its sender proved itself, and, when it did
 * not, each status it reports marked so (the workflow may hold a final one until the
 * provider's status API confirms it).
 */
export function attributed(parsed: ParsedCallback, verified: boolean): CallbackOutcome {
  if (parsed.kind !== 'events') return parsed;
  return { ...parsed, authenticated: verified, events: verified ? parsed.events : parsed.events.map(markUnverified) };
}

const markUnverified = (event: ProviderEvent): ProviderEvent =>
  event.status === undefined ? event : { ...event, unverified: true };

export const UNVERIFIED: SenderVerdict = { kind: 'sender', verified: false };
export const VERIFIED: SenderVerdict = { kind: 'sender', verified: true };
export const VERIFIED_BY_PREVIOUS: SenderVerdict = { kind: 'sender', verified: true, previousSecret: true };

/** The usual answers: 200 empty when accepted, the plain HTTP meaning otherwise. */
export function standardAnswer(outcome: 'accepted' | Refusal): Answer {
  switch (outcome) {
    case 'accepted':
      return { status: 200 };
    case 'unsupported-media-type':
      return { status: 415, body: { error: 'content type must be application/json' } };
    case 'too-large':
      return { status: 413, body: { error: 'body too large' } };
    case 'malformed-json':
      return { status: 400, body: { error: 'body is not valid JSON' } };
    case 'invalid-payload':
      return { status: 400, body: { error: 'payload does not match the expected shape' } };
    case 'unauthorized':
      return { status: 401 };
    case 'forbidden-address':
      return { status: 403 };
    case 'unknown-transaction':
      return { status: 404, body: { error: 'unknown transaction' } };
    case 'unavailable':
      return { status: 503, body: { error: 'temporarily unavailable, retry later' } };
    case 'rate-limited':
      return {
        status: 429,
        headers: { 'retry-after': '30' },
        body: { error: 'too many callbacks for this transaction, retry later' },
      };
    case 'server-error':
      return { status: 500, body: { error: 'internal error' } };
  }
}

/** The parts of a zod issue a refusal may repeat: where, what was expected, never the value. */
export interface IssueLike {
  path: PropertyKey[];
  message: string;
  code?: string;
  expected?: unknown;
  values?: readonly unknown[];
  errors?: ReadonlyArray<ReadonlyArray<{ code?: string; expected?: unknown; path?: PropertyKey[] }>>;
}

/**
 * Summarizes zod-style issues for a 400's `detail` and the log: each names the field and
 * what it should hold, and says `missing` when the field is absent from `input`. Values are
 * never echoed, since a callback or a registration may carry personal data.
 */
export function describeIssues(issues: ReadonlyArray<IssueLike>, input?: unknown): string {
  return issues
    .map((issue) => {
      const where = issue.path.map(String).join('.') || '(body)';
      const expected = expectedOf(issue);
      if (issue.path.length > 0 && input !== undefined && isAbsent(input, issue.path)) {
        return `${where}: missing${expected ? ` (expected ${expected})` : ''}`;
      }
      // A union's own message ("Invalid input") says nothing; what its branches expected does.
      if (issue.code === 'invalid_union' && expected) return `${where}: expected ${expected}`;
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

function expectedOf(issue: IssueLike): string | undefined {
  if (issue.code === 'invalid_type' && typeof issue.expected === 'string') return issue.expected;
  if (issue.code === 'invalid_value' && issue.values?.length)
    return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'invalid_union' && issue.errors) {
    const kinds = issue.errors.map(
      (branch) => branch.find((e) => e.code === 'invalid_type' && (e.path ?? []).length === 0)?.expected,
    );
    if (kinds.every((k): k is string => typeof k === 'string')) return [...new Set(kinds)].join(' or ');
  }
  return undefined;
}

/** True when the object holding the last path segment exists and lacks it. */
function isAbsent(input: unknown, path: PropertyKey[]): boolean {
  let node: unknown = input;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return false;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  if (typeof node !== 'object' || node === null) return false;
  return (node as Record<PropertyKey, unknown>)[path[path.length - 1]] === undefined;
}
