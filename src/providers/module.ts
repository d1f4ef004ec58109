// What one provider brings to the engine. Everything that differs between providers lives in
// its folder behind this interface; the receivers, the API, the configuration, the worker, the
// CLI, the simulators and the demo read it through the registry (registry.ts). A provider of
// your own is a folder exporting one of these, added to the registry's list (or given at
// startup with COUNTERSIGN_PROVIDER_MODULES): see docs/providers/writing-a-provider.md.
import type { z } from 'zod';
import type { DocumentContent } from './kit/download/document-answer';
import type { FetchLimits } from './kit/download/http';
import type { Spool } from './kit/download/spool';
import type { FollowUpRequest, FollowUpResult, TransactionKind, TransactionState } from '../common/types';
import type { Clock, TokenBucket } from './http/token-bucket';
import type { Provider } from './provider';

/** Settings every provider's API calls share (PROVIDER_API_TIMEOUT, PROVIDER_API_ATTEMPTS). */
export interface ProviderCommon {
  timeoutMs: number;
  maxAttempts: number;
}

/** How Countersign calls one provider's API (timeouts, retries, rate limit). */
export interface ProviderCallSettings {
  apiUrl: string;
  timeoutMs: number;
  maxAttempts: number;
  /** Requests per second. */
  rateLimit: number;
}

export interface ApiDeps {
  fetch?: typeof fetch;
  clock?: Clock;
  random?: () => number;
  /** Shared when several clients talk to the same provider (e.g. its token endpoint and its API). */
  rateLimiter?: TokenBucket;
}

export type FollowUp = (req: FollowUpRequest) => Promise<FollowUpResult>;

/** Fetches a finished transaction's signed documents (the `downloadSignedDocument` step). */
export type DocumentFetcher = (tx: TransactionState, limits: FetchLimits, spool: Spool) => Promise<DocumentContent[]>;

export interface ProviderModule<S extends ProviderCallSettings = ProviderCallSettings> {
  /** Lower-case, URL-safe: `/callbacks/{name}`, workflow ids, the SigningProvider attribute. */
  name: string;
  /** How people write its name (banners, the demo); default: `name`. */
  label?: string;
  /** Its variables' prefix, e.g. `SIGNHOST` for SIGNHOST_API_URL. */
  envPrefix: string;
  /** What it tracks: signing transactions, registered mail or both. */
  kinds: readonly TransactionKind[];
  /**
   * Its environment variables (full names, each starting with `envPrefix`), parsed with zod
   * together with the engine's at startup: a bad value stops the process naming it.
   */
  env: z.ZodRawShape;
  /** Its settings from its parsed variables. */
  settings(env: Record<string, unknown>, common: ProviderCommon): S;
  /**
   * Its variables each named account has of its own (docs/accounts.md): credentials and
   * secrets, never inherited from the default account. Unset: the provider has no accounts
   * beyond the default one unless its env includes `<PREFIX>_ACCOUNTS` (then only the shared
   * API URL, allowlist and rate differ per account).
   */
  accountVariables?: readonly string[];
  /** Variables any one of which lets its callbacks prove their sender (production needs one). */
  callbackGuards: readonly string[];
  /** When to ask it after silence, from how it retries its own callbacks. */
  followUpDefaults: { firstAfter: string; maxInterval: string };
  /** Registration fields it needs besides the common ones (e.g. `dossierId`); the API and the client refuse without them. */
  requiredRegistrationFields?: readonly string[];
  /** The callback body's schema, published in `/openapi.json`. */
  callbackSchema?: z.ZodType;
  /** Its callback side: who sent a request, what it says, how to answer. */
  receiver(settings: S): Provider;
  /** Asks it what happened when it stayed silent (status poll or re-notify). */
  followUp?(settings: S, deps: ApiDeps): FollowUp;
  /** Whether `followUp` can ask it to send its callback again (`countersign renotify`). */
  notifies?: boolean;
  /**
   * Whether `followUp` can read the transaction's status with these settings (its credentials
   * are set). Then a final status from an unverified callback waits for it to confirm;
   * default: whenever there is a `followUp`.
   */
  canConfirm?(settings: S): boolean;
  /** Downloads its signed documents. */
  documents?(settings: S): DocumentFetcher;
  /**
   * The path of its demo.ts, exporting `demo` (kit/simulator/provider-demo.ts): how
   * `npm run simulators` starts its simulator and what `npm run demo` plays. A path rather
   * than an import, so the package build, which leaves simulators out, never reaches it.
   */
  demo?: string;
}

/** Keeps a module's own settings type while it is listed among others. */
export function defineProvider<S extends ProviderCallSettings>(module: ProviderModule<S>): ProviderModule<S> {
  return module;
}

/** A provider's settings in a parsed configuration, typed by its module. */
export function settingsOf<S extends ProviderCallSettings>(
  config: { providers: Record<string, ProviderCallSettings> },
  module: ProviderModule<S>,
): S {
  return config.providers[module.name] as S;
}

/** How people write a provider's name. */
export function labelOf(module: Pick<ProviderModule, 'name' | 'label'>): string {
  return module.label ?? module.name;
}
