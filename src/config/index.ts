// The whole configuration, parsed once from the environment at startup. A bad value stops
// the process with a message naming the variable; nothing else reads process.env.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseKeyList, type EncryptionKey } from '../encryption/keys';
import { addressList } from '../providers/env';
import { accountVariable, parseAccounts, type AccountValues } from '../providers/accounts';
import { DURATION_HINT, DURATION_PATTERN, durationMs } from '../common/duration';
import { unauthenticatedMessage, unauthenticatedProviders } from '../providers/callback-trust';
import { followUpTaskQueue } from '../providers/follow-up-defaults';
import type { ProviderCallSettings, ProviderModule } from '../providers/module';
import {
  builtInProviders,
  providerRegistryFrom,
  ProviderRegistryError,
  type ProviderRegistry,
} from '../providers/registry';
import { CONTINUE_AS_NEW } from '../common/bounds';
import type { EngineOptions } from '../common/types';
import { stepPlan } from '../api/transaction-schemas';
import { webhookSecretProblem } from '../platform/webhook-signature';
import { tracingEnv, tracingSettings } from '../tracing/config';

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
/** Durations in the ms package's format, the one Temporal uses: `30s`, `6 hours`, `90 days`. */
const duration = (fallback: string) => z.string().regex(DURATION_PATTERN, DURATION_HINT).default(fallback);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/** Unset or empty: leave the choice to the library. */
const optionalInt = (min: number) =>
  z
    .union([z.literal(''), z.coerce.number().int().min(min).max(1_000_000)])
    .optional()
    .transform((v) => (v === '' ? undefined : v));

const notifySecret = optionalString.superRefine((v, ctx) => {
  const problem = v === undefined ? undefined : webhookSecretProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const stepDefaultsFor = (providers: string[]) =>
  z.partialRecord(z.enum(['default', ...providers] as [string, ...string[]]), stepPlan);

/** The engine's own variables; each provider adds its own (its folder's config.ts). */
const engineEnv = (stepDefaults: ReturnType<typeof stepDefaultsFor>) => ({
  /** `production` (the container image sets it): unauthenticated providers stop startup. */
  NODE_ENV: optionalString,
  PORT: port(3000),
  /** Unset: every interface in production, loopback otherwise (see loadConfig). */
  HOST: optionalString,
  /** Number of reverse proxies in front of the receivers; 0 trusts no X-Forwarded-For. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * Socket peers whose X-Forwarded-For is believed (addresses or CIDRs); default loopback.
   * A request straight to the port from anywhere else keeps its own address, whatever it claims.
   */
  TRUSTED_PROXIES: addressList(),
  /** A request's headers, and the whole request, must arrive within these (slow senders hold sockets). */
  HTTP_HEADERS_TIMEOUT: duration('10s'),
  HTTP_REQUEST_TIMEOUT: duration('30s'),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'expected a size like 256kb')
    .default('256kb'),
  COUNTERSIGN_API_TOKEN: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('countersign'),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_CLI_PATH: optionalString,
  COUNTERSIGN_DATA_DIR: z.string().min(1).default('.data'),

  UNREGISTERED_TTL: duration('30 days'),
  LINGER_AFTER_FINAL: duration('1 hour'),
  // Comma-separated durations between checks of a held final status; the last one repeats.
  HELD_FINAL_CHECKS: z
    .string()
    .default('30 seconds,2 minutes,10 minutes,1 hour')
    .transform((v) => v.split(',').map((d) => d.trim()))
    .pipe(z.array(z.string().regex(DURATION_PATTERN, DURATION_HINT)).min(1)),
  HELD_FINAL_GRACE: duration('30 days'),
  DEFAULT_DEADLINE: duration('90 days'),
  FOLLOW_UP_FIRST_AFTER: duration('6 hours'),
  FOLLOW_UP_BACKOFF: z.coerce.number().min(1).max(10).default(2),
  FOLLOW_UP_MAX_INTERVAL: duration('1 day'),
  /** JSON: steps per provider (or `default`) for transactions whose registration names none. */
  POST_SIGNING_STEPS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      try {
        return stepDefaults.parse(JSON.parse(v));
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          message: `expected JSON like {"default":{"onSigned":["notifyApplication"]}}: ${(err as Error).message.split('\n')[0]}`,
        });
        return z.NEVER;
      }
    }),
  /** A module of the user's own activities, loaded by the worker (each usable as a step). */
  COUNTERSIGN_ACTIVITIES_MODULE: optionalString,
  /** Where `downloadSignedDocument` stores files; default `{COUNTERSIGN_DATA_DIR}/documents`. */
  COUNTERSIGN_DOCUMENTS_DIR: optionalString,
  COUNTERSIGN_NOTIFY_URL: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
    .optional()
    .or(z.literal('').transform(() => undefined)),
  COUNTERSIGN_NOTIFY_SECRET: notifySecret,
  /** During a rotation, notifications are signed with this one too (docs/secret-rotation.md). */
  COUNTERSIGN_NOTIFY_SECRET_PREVIOUS: notifySecret,

  // Joining a cluster over TLS (self-hosted mTLS or Temporal Cloud). TLS is on when any of
  // these is set; TEMPORAL_TLS=true turns it on with the system's CAs and nothing else.
  TEMPORAL_TLS: bool(false),
  TEMPORAL_TLS_CERT_PATH: optionalString,
  TEMPORAL_TLS_KEY_PATH: optionalString,
  TEMPORAL_TLS_CA_PATH: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_API_KEY: optionalString,
  /** Port of the Temporal SDK's own Prometheus exporter (worker processes); unset: off. */
  TEMPORAL_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /**
   * Worker Deployment versioning (docs/upgrading.md), opt-in: both set, the workers poll as
   * that deployment version and each run stays on the version it started on until it hands
   * over. Unset: unversioned workers, as before.
   */
  TEMPORAL_DEPLOYMENT_NAME: optionalString,
  TEMPORAL_WORKER_BUILD_ID: optionalString,
  /** Longest a transaction sleeps without waking to look for a newer version (default 1 day, in the workflow). */
  WAKE_UP_INTERVAL: z.string().regex(DURATION_PATTERN, DURATION_HINT).optional(),
  /** Prebuilt workflow bundle (`npm run bundle:workflows`); unset: bundled at startup. */
  WORKFLOW_BUNDLE_PATH: optionalString,
  /** How long a stopping process waits for in-flight requests and activities. */
  SHUTDOWN_TIMEOUT: duration('30s'),
  /** Worker tuning; unset keeps the SDK's defaults (cache sized from the heap limit, 40 and 100 slots). */
  WORKER_MAX_CACHED_WORKFLOWS: optionalInt(0),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: optionalInt(2),
  WORKER_MAX_CONCURRENT_ACTIVITIES: optionalInt(1),
  /**
   * `autoscaling` lets the worker add workflow task pollers while the server has tasks; a number
   * caps them instead. Autoscaling by default: with the SDK's fixed 10 (2 for new workflows) the
   * first tasks of new transactions queued behind incoming signals under load (bench/README.md).
   */
  /**
   * Lower a run's continue-as-new thresholds (history events, history bytes, signals). The
   * defaults (src/common/bounds.ts) are also the maximum: raising them would only move a
   * busy transaction closer to Temporal's own hard limits.
   */
  CONTINUE_AS_NEW_MAX_EVENTS: z.coerce.number().int().min(50).max(CONTINUE_AS_NEW.maxHistoryEvents).optional(),
  CONTINUE_AS_NEW_MAX_BYTES: z.coerce.number().int().min(65_536).max(CONTINUE_AS_NEW.maxHistoryBytes).optional(),
  CONTINUE_AS_NEW_MAX_SIGNALS: z.coerce.number().int().min(2).max(CONTINUE_AS_NEW.maxSignals).optional(),
  WORKER_WORKFLOW_TASK_POLLERS: z
    .union([z.literal('autoscaling'), z.coerce.number().int().min(2).max(1000)])
    .default('autoscaling'),
  /**
   * Payload encryption keys, `id:base64` (32 bytes each), comma-separated, newest first: the
   * first encrypts, all decrypt. Or COUNTERSIGN_ENCRYPTION_KEYS_FILE, a file in the same format.
   */
  COUNTERSIGN_ENCRYPTION_KEYS: optionalString.transform((v, ctx) => {
    if (v === undefined) return undefined;
    try {
      return parseKeyList(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),
  COUNTERSIGN_ENCRYPTION_KEYS_FILE: optionalString,
  /** Bearer token of the codec server (`/codec/decode`, `/codec/encode`); unset: no codec server. */
  COUNTERSIGN_CODEC_TOKEN: optionalString.refine(
    (v) => v === undefined || v.length >= 16,
    'expected at least 16 characters',
  ),
  /** Web UI origins allowed to call the codec server from a browser, comma-separated. */
  COUNTERSIGN_CODEC_ORIGINS: optionalString.refine(
    (v) => v === undefined || v.split(',').every((o) => /^https?:\/\/[^/\s]+\/?$/.test(o.trim())),
    'expected origins like http://localhost:8080,https://temporal.example.com (no path)',
  ),
  /** Per-transaction flood control at the receivers (docs/reliability.md "Flood control"). */
  CALLBACK_DEDUPE_ENTRIES: z.coerce.number().int().min(0).max(10_000_000).default(100_000),
  CALLBACK_DEDUPE_TTL: duration('10 minutes'),
  CALLBACK_RATE_PER_TRANSACTION: z.coerce.number().min(0).max(10_000).default(5),
  CALLBACK_BURST_PER_TRANSACTION: z.coerce.number().int().min(1).max(100_000).default(20),
  CALLBACK_RATE_MAX_WAIT: duration('2s').refine(
    (v) => durationMs(v) <= 5000,
    "at most 5s: the answer must beat the providers' timeouts",
  ),
  CALLBACK_RATE_TRACKED_TRANSACTIONS: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  /** `npm start`: restart delays of the worker process after it dies (doubling between the two). */
  WORKER_RESTART_DELAY: duration('1s'),
  WORKER_RESTART_MAX_DELAY: duration('30s'),

  /** Comma-separated modules of the operator's own providers (docs/providers/writing-a-provider.md). */
  COUNTERSIGN_PROVIDER_MODULES: optionalString,
  /** Per attempt of a provider API call. */
  PROVIDER_API_TIMEOUT: duration('10s'),
  /** Attempts of one provider API call inside one activity attempt. */
  PROVIDER_API_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /**
   * Run follow-ups on one task queue per provider (`{TEMPORAL_TASK_QUEUE}-follow-up-{provider}`)
   * whose worker is rate-limited by the server to `<PROVIDER>_API_RATE_LIMIT`.
   */
  FOLLOW_UP_TASK_QUEUES: bool(true),
  /**
   * `auto`: a final status from a callback that proved nothing counts only once the provider's
   * status API confirms it, wherever that API is configured. `off`: it counts at once (the
   * state still says `finalEstablishedBy: unverified-callback`).
   */
  CONFIRM_UNVERIFIED_FINALS: z.enum(['auto', 'off']).default('auto'),
  /** OpenTelemetry's standard OTEL_* variables (docs/tracing.md). */
  ...tracingEnv,
});

/** The whole environment's schema: the engine's variables and every registered provider's. */
function envSchemaFor(registry: ProviderRegistry) {
  return z.object({
    ...engineEnv(stepDefaultsFor(registry.names)),
    ...Object.assign({}, ...registry.modules.map((m) => m.env)),
  } as ReturnType<typeof engineEnv>);
}

/** Every environment variable Countersign reads with its built-in providers (deployment files are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchemaFor(builtInProviders).shape);

export type Env = z.infer<ReturnType<typeof envSchemaFor>>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * `providers`: the registry to configure; default the built-in providers plus those named by
 * COUNTERSIGN_PROVIDER_MODULES.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, providers?: ProviderRegistry) {
  let registry: ProviderRegistry;
  try {
    registry = providers ?? providerRegistryFrom(env);
  } catch (err) {
    if (!(err instanceof ProviderRegistryError)) throw err;
    throw new ConfigError(`Invalid configuration:\n  COUNTERSIGN_PROVIDER_MODULES: ${err.message}`);
  }
  const schema = envSchemaFor(registry);
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const variable = String(i.path[0]);
      const got = env[variable];
      return `  ${variable}: ${i.message}${got === undefined ? '' : isSecret(variable) ? ' (value hidden)' : ` (got ${JSON.stringify(got)})`}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const orphans = orphanPreviousSecrets(Object.keys(schema.shape), e);
  if (orphans.length > 0) throw new ConfigError(`Invalid configuration:\n${orphans.join('\n')}`);
  const accounts = parseAccounts(registry.modules, env, e);
  for (const [provider, byAccount] of Object.entries(accounts.values))
    for (const [account, values] of Object.entries(byAccount))
      accounts.problems.push(
        ...orphanPreviousSecrets(Object.keys(registry.get(provider)!.env), values).map((line) =>
          renameForAccount(line, registry.get(provider)!.envPrefix, account),
        ),
      );
  if (accounts.problems.length > 0) throw new ConfigError(`Invalid configuration:\n${accounts.problems.join('\n')}`);
  const production = e.NODE_ENV === 'production';
  const unauthenticated = [
    ...unauthenticatedProviders(registry, e),
    ...unauthenticatedAccounts(registry, accounts.values),
  ];
  const settingsByProvider = providerSettings(registry, e);
  const accountSettings = providerAccountSettings(registry, e, accounts.values);
  const blocking = unauthenticated.filter((u) => !u.allowed).map((u) => u.provider);
  if (production && blocking.length > 0) throw new ConfigError(unauthenticatedMessage(registry, blocking));
  const headersTimeoutMs = durationMs(e.HTTP_HEADERS_TIMEOUT);
  const requestTimeoutMs = durationMs(e.HTTP_REQUEST_TIMEOUT);
  if (requestTimeoutMs < headersTimeoutMs) {
    throw new ConfigError(
      'Invalid configuration:\n  HTTP_REQUEST_TIMEOUT: must not be shorter than HTTP_HEADERS_TIMEOUT',
    );
  }
  if (!!e.TEMPORAL_DEPLOYMENT_NAME !== !!e.TEMPORAL_WORKER_BUILD_ID) {
    throw new ConfigError(
      'Invalid configuration:\n  TEMPORAL_DEPLOYMENT_NAME and TEMPORAL_WORKER_BUILD_ID: set both (a versioned worker) or neither',
    );
  }
  if (!!e.TEMPORAL_TLS_CERT_PATH !== !!e.TEMPORAL_TLS_KEY_PATH) {
    throw new ConfigError(
      'Invalid configuration:\n  TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH: set both (mTLS client certificate and its key) or neither',
    );
  }
  return {
    encryption: encryptionSettings(e),
    /** The codec server the Web UI calls; off without a token. */
    codec: {
      token: e.COUNTERSIGN_CODEC_TOKEN,
      origins: splitList(e.COUNTERSIGN_CODEC_ORIGINS).map((o) => o.replace(/\/+$/, '')),
    },
    http: {
      port: e.PORT,
      host: e.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
      trustProxyHops: e.TRUST_PROXY_HOPS,
      trustedProxies: e.TRUSTED_PROXIES.length > 0 ? e.TRUSTED_PROXIES : ['127.0.0.0/8', '::1'],
      headersTimeoutMs,
      requestTimeoutMs,
      bodyLimit: e.BODY_LIMIT,
      apiToken: e.COUNTERSIGN_API_TOKEN,
    },
    logLevel: e.LOG_LEVEL,
    production,
    /** Providers whose callbacks nothing authenticates (shown in the startup banner). */
    unauthenticatedProviders: unauthenticated.map((u) => u.provider),
    temporal: {
      /** Undefined: start the embedded dev server. */
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      devServer: {
        port: e.TEMPORAL_PORT,
        uiPort: e.TEMPORAL_UI_PORT,
        dataDir: e.COUNTERSIGN_DATA_DIR,
        cliPath: e.TEMPORAL_CLI_PATH,
      },
      tls: {
        enabled: e.TEMPORAL_TLS || !!(e.TEMPORAL_TLS_CERT_PATH || e.TEMPORAL_TLS_CA_PATH || e.TEMPORAL_TLS_SERVER_NAME),
        certPath: e.TEMPORAL_TLS_CERT_PATH,
        keyPath: e.TEMPORAL_TLS_KEY_PATH,
        caPath: e.TEMPORAL_TLS_CA_PATH,
        serverName: e.TEMPORAL_TLS_SERVER_NAME,
      },
      apiKey: e.TEMPORAL_API_KEY,
      metricsPort: e.TEMPORAL_METRICS_PORT,
      workflowBundlePath: e.WORKFLOW_BUNDLE_PATH,
      /** The worker deployment version the workers poll as; undefined: unversioned. */
      deploymentVersion:
        e.TEMPORAL_DEPLOYMENT_NAME && e.TEMPORAL_WORKER_BUILD_ID
          ? { deploymentName: e.TEMPORAL_DEPLOYMENT_NAME, buildId: e.TEMPORAL_WORKER_BUILD_ID }
          : undefined,
    },
    shutdownTimeoutMs: durationMs(e.SHUTDOWN_TIMEOUT),
    engine: {
      unregisteredTtl: e.UNREGISTERED_TTL,
      lingerAfterFinal: e.LINGER_AFTER_FINAL,
      defaultDeadline: e.DEFAULT_DEADLINE,
      ...(e.WAKE_UP_INTERVAL && { wakeUpInterval: e.WAKE_UP_INTERVAL }),
      heldFinal: { checks: e.HELD_FINAL_CHECKS, grace: e.HELD_FINAL_GRACE },
      followUp: {
        firstAfter: e.FOLLOW_UP_FIRST_AFTER,
        backoff: e.FOLLOW_UP_BACKOFF,
        maxInterval: e.FOLLOW_UP_MAX_INTERVAL,
      },
      ...(e.POST_SIGNING_STEPS && { defaultSteps: e.POST_SIGNING_STEPS }),
      providers: providerEngineOptions(registry, e, env, settingsByProvider, accountSettings),
      continueAsNew: {
        ...(e.CONTINUE_AS_NEW_MAX_EVENTS && { maxHistoryEvents: e.CONTINUE_AS_NEW_MAX_EVENTS }),
        ...(e.CONTINUE_AS_NEW_MAX_BYTES && { maxHistoryBytes: e.CONTINUE_AS_NEW_MAX_BYTES }),
        ...(e.CONTINUE_AS_NEW_MAX_SIGNALS && { maxSignals: e.CONTINUE_AS_NEW_MAX_SIGNALS }),
      },
    },
    /** Post-signing steps: the user's activities and the built-in steps' settings. */
    steps: {
      activitiesModule: e.COUNTERSIGN_ACTIVITIES_MODULE,
      documentsDir: e.COUNTERSIGN_DOCUMENTS_DIR ?? join(e.COUNTERSIGN_DATA_DIR, 'documents'),
      notify: {
        url: e.COUNTERSIGN_NOTIFY_URL,
        secret: e.COUNTERSIGN_NOTIFY_SECRET,
        previousSecret: e.COUNTERSIGN_NOTIFY_SECRET_PREVIOUS,
      },
    },
    /** Passed to Worker.create only when set. */
    worker: {
      ...(e.WORKER_MAX_CACHED_WORKFLOWS !== undefined && { maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS }),
      ...(e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS !== undefined && {
        maxConcurrentWorkflowTaskExecutions: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      }),
      ...(e.WORKER_MAX_CONCURRENT_ACTIVITIES !== undefined && {
        maxConcurrentActivityTaskExecutions: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      }),
      workflowTaskPollerBehavior:
        e.WORKER_WORKFLOW_TASK_POLLERS === 'autoscaling'
          ? ({ type: 'autoscaling' } as const)
          : ({ type: 'simple-maximum', maximum: e.WORKER_WORKFLOW_TASK_POLLERS } as const),
    } as {
      maxCachedWorkflows?: number;
      maxConcurrentWorkflowTaskExecutions?: number;
      maxConcurrentActivityTaskExecutions?: number;
      workflowTaskPollerBehavior?: { type: 'autoscaling' } | { type: 'simple-maximum'; maximum: number };
    },
    /** Receivers: what a transaction's callbacks may cost Temporal (src/receivers/). */
    floodControl: {
      dedupe: { maxEntries: e.CALLBACK_DEDUPE_ENTRIES, ttlMs: durationMs(e.CALLBACK_DEDUPE_TTL) },
      rate: {
        ratePerSecond: e.CALLBACK_RATE_PER_TRANSACTION,
        burst: e.CALLBACK_BURST_PER_TRANSACTION,
        maxWaitMs: durationMs(e.CALLBACK_RATE_MAX_WAIT),
        maxTracked: e.CALLBACK_RATE_TRACKED_TRANSACTIONS,
      },
    },
    workerRestart: { initialMs: durationMs(e.WORKER_RESTART_DELAY), maxMs: durationMs(e.WORKER_RESTART_MAX_DELAY) },
    /** The providers configured, and each one's settings by name. */
    providerModules: registry,
    providers: settingsByProvider,
    /** Named accounts' settings by provider and account (docs/accounts.md); the default account is `providers`. */
    accounts: accountSettings,
    /** OpenTelemetry tracing; off unless OTEL_TRACES_EXPORTER or an OTLP endpoint is set. */
    tracing: tracingSettings(e),
  };
}

/** Read once here, so a missing or malformed key file stops startup naming the variable. */
function encryptionSettings(e: Env): {
  keys: EncryptionKey[];
  source?: 'COUNTERSIGN_ENCRYPTION_KEYS' | 'COUNTERSIGN_ENCRYPTION_KEYS_FILE' | 'dev';
} {
  if (e.COUNTERSIGN_ENCRYPTION_KEYS && e.COUNTERSIGN_ENCRYPTION_KEYS_FILE) {
    throw new ConfigError(
      'Invalid configuration:\n  COUNTERSIGN_ENCRYPTION_KEYS and COUNTERSIGN_ENCRYPTION_KEYS_FILE: set one or the other',
    );
  }
  if (e.COUNTERSIGN_ENCRYPTION_KEYS) {
    if (e.COUNTERSIGN_ENCRYPTION_KEYS.length === 0)
      throw new ConfigError('Invalid configuration:\n  COUNTERSIGN_ENCRYPTION_KEYS: no key in it');
    return { keys: e.COUNTERSIGN_ENCRYPTION_KEYS, source: 'COUNTERSIGN_ENCRYPTION_KEYS' };
  }
  const file = e.COUNTERSIGN_ENCRYPTION_KEYS_FILE;
  if (!file) return { keys: [] };
  let keys: EncryptionKey[];
  try {
    keys = parseKeyList(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code
      ? `cannot read ${file} (${(err as NodeJS.ErrnoException).code})`
      : (err as Error).message;
    throw new ConfigError(`Invalid configuration:\n  COUNTERSIGN_ENCRYPTION_KEYS_FILE: ${why}`);
  }
  if (keys.length === 0)
    throw new ConfigError(`Invalid configuration:\n  COUNTERSIGN_ENCRYPTION_KEYS_FILE: no key in ${file}`);
  return { keys, source: 'COUNTERSIGN_ENCRYPTION_KEYS_FILE' };
}

const splitList = (v: string | undefined) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

const commonSettings = (e: Env) => ({
  timeoutMs: durationMs(e.PROVIDER_API_TIMEOUT),
  maxAttempts: e.PROVIDER_API_ATTEMPTS,
});

function providerSettings(registry: ProviderRegistry, e: Env): Record<string, ProviderCallSettings> {
  return Object.fromEntries(registry.modules.map((m) => [m.name, m.settings(e, commonSettings(e))]));
}

function providerAccountSettings(
  registry: ProviderRegistry,
  e: Env,
  values: AccountValues,
): Record<string, Record<string, ProviderCallSettings>> {
  return Object.fromEntries(
    Object.entries(values).map(([provider, byAccount]) => [
      provider,
      Object.fromEntries(
        Object.entries(byAccount).map(([account, v]) => [
          account,
          registry.get(provider)!.settings(v, commonSettings(e)),
        ]),
      ),
    ]),
  );
}

/** Named accounts nothing authenticates, as `provider@account`, with what fixes each. */
function unauthenticatedAccounts(registry: ProviderRegistry, values: AccountValues) {
  return Object.entries(values).flatMap(([provider, byAccount]) =>
    Object.entries(byAccount).flatMap(([account, v]) =>
      unauthenticatedProviders({ modules: [registry.get(provider)!] }, v).map((u) => ({
        ...u,
        provider: `${provider}@${account}`,
      })),
    ),
  );
}

const renameForAccount = (line: string, prefix: string, account: string) =>
  line.replace(new RegExp(`\\b${prefix}_[A-Z0-9_]+`, 'g'), (v) => accountVariable(prefix, account, v));

/**
 * Per provider: when to follow up, and on which task queue. Precedence: the provider's own
 * variable, then the engine-wide FOLLOW_UP_* one when the operator set it, then the
 * provider's default (its module's `followUpDefaults`). A transaction's own policy beats all of these.
 */
function providerEngineOptions(
  registry: ProviderRegistry,
  e: Env,
  env: NodeJS.ProcessEnv,
  settings: Record<string, ProviderCallSettings>,
  accounts: Record<string, Record<string, ProviderCallSettings>>,
): NonNullable<EngineOptions['providers']> {
  const vars = e as unknown as Record<string, string | undefined>;
  const pick = (name: 'FIRST_AFTER' | 'MAX_INTERVAL', prefix: string, fallback: string) =>
    vars[`${prefix}_FOLLOW_UP_${name}`] ?? (env[`FOLLOW_UP_${name}`] ? vars[`FOLLOW_UP_${name}`]! : fallback);
  return Object.fromEntries(
    registry.modules.map((m) => [
      m.name,
      {
        followUp: {
          firstAfter: pick('FIRST_AFTER', m.envPrefix, m.followUpDefaults.firstAfter),
          maxInterval: pick('MAX_INTERVAL', m.envPrefix, m.followUpDefaults.maxInterval),
        },
        ...(e.FOLLOW_UP_TASK_QUEUES && { followUpTaskQueue: followUpTaskQueue(e.TEMPORAL_TASK_QUEUE, m.name) }),
        ...(e.CONFIRM_UNVERIFIED_FINALS === 'auto' &&
          // One flag per provider: every account must be able to confirm, or a final status
          // of one that cannot would wait for a confirmation that never comes.
          [settings[m.name], ...Object.values(accounts[m.name] ?? {})].every((s) => canConfirm(m, s)) && {
            confirmUnverifiedFinals: true,
          }),
      },
    ]),
  );
}

const canConfirm = (m: ProviderModule, settings: ProviderCallSettings) =>
  m.canConfirm ? m.canConfirm(settings) : m.followUp !== undefined;

/**
 * A value being retired with no current one beside it would be the only accepted secret while
 * nothing says so (and the callback guards, which look at the current variables, would call the
 * provider unauthenticated): a rotation always has both.
 */
function orphanPreviousSecrets(variables: string[], e: Record<string, unknown>): string[] {
  return variables
    .filter((name) => name.endsWith('_PREVIOUS') && e[name] !== undefined)
    .map((name) => ({ name, current: name.slice(0, -'_PREVIOUS'.length) }))
    .filter(({ current }) => variables.includes(current) && e[current] === undefined)
    .map(({ name, current }) => `  ${name}: set only during a rotation, beside ${current} (the new value)`);
}

function isSecret(variable: string): boolean {
  return /SECRET|TOKEN|KEY|AUTHORIZATION|HEADER|PASSWORD/.test(variable);
}

export type Config = ReturnType<typeof loadConfig>;
