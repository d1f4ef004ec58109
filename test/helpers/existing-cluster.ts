// COUNTERSIGN_TEST_TEMPORAL_ADDRESS points the integration suite and the benchmark at a
// Temporal cluster that is already running (the native cluster of `npm run cluster`, a
// staging cluster) instead of a dev server each starts. The cluster must have Countersign's
// namespace and search attributes; tests keep to their own task queues and ids.
import { z } from 'zod';

export interface ExistingCluster {
  address: string;
  namespace: string;
  /** The server's process id, when known: the benchmark then measures its CPU. */
  pid?: number;
}

const schema = z.object({
  COUNTERSIGN_TEST_TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'expected host:port')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  COUNTERSIGN_TEST_TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  COUNTERSIGN_TEST_TEMPORAL_PID: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .or(z.literal('').transform(() => undefined)),
});

let parsed: ExistingCluster | null | undefined;

/** The cluster to use, or undefined when each test file starts its own dev server. */
export function existingCluster(env: NodeJS.ProcessEnv = process.env): ExistingCluster | undefined {
  if (parsed !== undefined && env === process.env) return parsed ?? undefined;
  const result = schema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`${String(issue.path[0])}: ${issue.message}`);
  }
  const e = result.data;
  const cluster = e.COUNTERSIGN_TEST_TEMPORAL_ADDRESS
    ? {
        address: e.COUNTERSIGN_TEST_TEMPORAL_ADDRESS,
        namespace: e.COUNTERSIGN_TEST_TEMPORAL_NAMESPACE,
        pid: e.COUNTERSIGN_TEST_TEMPORAL_PID,
      }
    : undefined;
  if (env === process.env) parsed = cluster ?? null;
  return cluster;
}
