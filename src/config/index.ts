// The whole configuration, parsed once from the environment at startup. A bad value stops
// the process with a message naming the variable; nothing else reads process.env.
import { join } from 'node:path';
import { z } from 'zod';
import { parseAccounts } from '../providers/accounts';
import { durationMs } from '../common/duration';
import { unauthenticatedMessage, unauthenticatedProviders } from '../providers/callback-trust';
import {
  builtInProviders,
  providerRegistryFrom,
  ProviderRegistryError,
  type ProviderRegistry,
} from '../providers/registry';
import { tracingEnv, tracingSettings } from '../tracing/config';
import { ConfigError } from './config-error';
import { encryptionEnv, encryptionSettings } from './encryption';
import { engineEnv } from './engine';
import { floodControlEnv } from './flood-control';
import { splitList } from './primitives';
import {
  orphanPreviousSecrets,
  providerAccountSettings,
  providerEngineOptions,
  providerSettings,
  providersEnv,
  renameForAccount,
  unauthenticatedAccounts,
} from './providers';
import { serverEnv } from './server';
import { stepDefaultsFor, stepsEnv } from './steps';
import { temporalEnv } from './temporal';

export { ConfigError } from './config-error';

/** The engine's own variables by concern; each provider adds its own (its folder's config.ts). */
const countersignEnv = (stepDefaults: ReturnType<typeof stepDefaultsFor>) => ({
  ...serverEnv,
  ...temporalEnv,
  ...engineEnv,
  ...stepsEnv(stepDefaults),
  ...encryptionEnv,
  ...floodControlEnv,
  ...providersEnv,
  /** OpenTelemetry's standard OTEL_* variables (docs/tracing.md). */
  ...tracingEnv,
});

/** The whole environment's schema: the engine's variables and every registered provider's. */
function envSchemaFor(registry: ProviderRegistry) {
  return z.object({
    ...countersignEnv(stepDefaultsFor(registry.names)),
    ...Object.assign({}, ...registry.modules.map((m) => m.env)),
  } as ReturnType<typeof countersignEnv>);
}

/** Every environment variable Countersign reads with its built-in providers (deployment files are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchemaFor(builtInProviders).shape);

export type Env = z.infer<ReturnType<typeof envSchemaFor>>;

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

function isSecret(variable: string): boolean {
  return /SECRET|TOKEN|KEY|AUTHORIZATION|HEADER|PASSWORD/.test(variable);
}

export type Config = ReturnType<typeof loadConfig>;
