// Which Temporal cluster, how to reach it, and how this process's workers poll it.
import { z } from 'zod';
import { bool, duration, optionalInt, optionalString, port } from './primitives';

export const temporalEnv = {
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('countersign'),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_CLI_PATH: optionalString,
  COUNTERSIGN_DATA_DIR: z.string().min(1).default('.data'),

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
   * over. Unset: unversioned workers.
   */
  TEMPORAL_DEPLOYMENT_NAME: optionalString,
  TEMPORAL_WORKER_BUILD_ID: optionalString,
  /** Prebuilt workflow bundle (`npm run bundle:workflows`); unset: bundled at startup. */
  WORKFLOW_BUNDLE_PATH: optionalString,
  /** Worker tuning; unset keeps the SDK's defaults (cache sized from the heap limit, 40 and 100 slots). */
  WORKER_MAX_CACHED_WORKFLOWS: optionalInt(0),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: optionalInt(2),
  WORKER_MAX_CONCURRENT_ACTIVITIES: optionalInt(1),
  /**
   * `autoscaling` lets the worker add workflow task pollers while the server has tasks; a number
   * caps them instead. Autoscaling by default: with the SDK's fixed 10 (2 for new workflows) the
   * first tasks of new transactions queued behind incoming signals under load (bench/README.md).
   */
  WORKER_WORKFLOW_TASK_POLLERS: z
    .union([z.literal('autoscaling'), z.coerce.number().int().min(2).max(1000)])
    .default('autoscaling'),
  /** `npm start`: restart delays of the worker process after it dies (doubling between the two). */
  WORKER_RESTART_DELAY: duration('1s'),
  WORKER_RESTART_MAX_DELAY: duration('30s'),
};
