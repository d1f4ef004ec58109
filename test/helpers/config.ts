import { ConfigError, loadConfig, type Config } from '../../src/config';
import { existingCluster } from './existing-cluster';

/** A config as the process would parse it, from a clean environment plus overrides. */
export function testConfig(
  env: Record<string, string> = {},
  taskQueue = `test-${Math.random().toString(36).slice(2, 10)}`,
): Config {
  const cluster = existingCluster();
  return loadConfig({
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'silent',
    ...(cluster && { TEMPORAL_NAMESPACE: cluster.namespace }),
    ...env,
  });
}

/** The message a configuration that must stop startup is refused with (fails if it starts). */
export function configRefusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
}
