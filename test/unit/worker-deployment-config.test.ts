// The versioning variables: opt-in, both or neither, and nothing changes for a worker without them.
import { ConfigError, loadConfig } from '../../src/config';
import { deploymentWorkerOptions } from '../../src/temporal/worker-deployment';

const base = { LOG_LEVEL: 'silent' };

it('leaves an unconfigured worker unversioned, with no wake-up option in the transactions it starts', () => {
  const config = loadConfig(base);
  expect(config.temporal.deploymentVersion).toBeUndefined();
  expect(deploymentWorkerOptions(config.temporal)).toEqual({});
  expect(config.engine).not.toHaveProperty('wakeUpInterval');
});

it('pins every workflow to the configured version by default', () => {
  const config = loadConfig({ ...base, TEMPORAL_DEPLOYMENT_NAME: 'countersign', TEMPORAL_WORKER_BUILD_ID: 'b42' });
  expect(deploymentWorkerOptions(config.temporal)).toEqual({
    workerDeploymentOptions: {
      useWorkerVersioning: true,
      version: { deploymentName: 'countersign', buildId: 'b42' },
      defaultVersioningBehavior: 'PINNED',
    },
  });
});

it.each([{ TEMPORAL_DEPLOYMENT_NAME: 'countersign' }, { TEMPORAL_WORKER_BUILD_ID: 'b42' }])(
  'refuses one of the pair without the other: %p',
  (env) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...env })).toThrow(/TEMPORAL_DEPLOYMENT_NAME and TEMPORAL_WORKER_BUILD_ID/);
  },
);

it('takes WAKE_UP_INTERVAL as a duration, into the engine options transactions start with', () => {
  expect(loadConfig({ ...base, WAKE_UP_INTERVAL: '6 hours' }).engine.wakeUpInterval).toBe('6 hours');
  expect(() => loadConfig({ ...base, WAKE_UP_INTERVAL: 'daily' })).toThrow(/WAKE_UP_INTERVAL/);
});
