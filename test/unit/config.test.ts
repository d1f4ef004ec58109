import { ConfigError, loadConfig } from '../../src/config';
import { createAllowlist } from '../../src/receivers/address-allowlist';
import { parseWorkflowId, workflowIdFor } from '../../src/shared/ids';

describe('config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c.http.port).toBe(3000);
    expect(c.temporal).toMatchObject({ address: undefined, namespace: 'default', taskQueue: 'countersign' });
    expect(c.temporal.devServer).toMatchObject({ port: 7233, uiPort: 8233, dataDir: '.data' });
  });

  it('names the bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ FOLLOW_UP_FIRST_AFTER: 'soon' })).toThrow(/FOLLOW_UP_FIRST_AFTER/);
    expect(() => loadConfig({ SIGNHOST_API_URL: 'not a url' })).toThrow(/SIGNHOST_API_URL/);
  });

  it('never echoes a secret in the error', () => {
    let message = '';
    try {
      loadConfig({ PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: 'no-colon-secret-value' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/PORTAL_DE_ASSINATURAS_CALLBACK_HEADER/);
    expect(message).not.toMatch(/no-colon-secret-value/);
  });

  it('passes worker tuning only when set', () => {
    const pollers = { workflowTaskPollerBehavior: { type: 'autoscaling' } };
    expect(loadConfig({}).worker).toEqual(pollers);
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '500', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '20', WORKER_MAX_CONCURRENT_ACTIVITIES: '' }).worker).toEqual({
      maxCachedWorkflows: 500,
      maxConcurrentWorkflowTaskExecutions: 20,
      ...pollers,
    });
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: 'lots' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
    expect(() => loadConfig({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' })).toThrow(/WORKER_MAX_CONCURRENT_WORKFLOW_TASKS/);
  });

  it('reads the workflow task pollers as autoscaling (the default) or a maximum', () => {
    expect(loadConfig({ WORKER_WORKFLOW_TASK_POLLERS: 'autoscaling' }).worker).toEqual({ workflowTaskPollerBehavior: { type: 'autoscaling' } });
    expect(loadConfig({ WORKER_WORKFLOW_TASK_POLLERS: '20' }).worker).toEqual({ workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 20 } });
    expect(() => loadConfig({ WORKER_WORKFLOW_TASK_POLLERS: 'many' })).toThrow(/WORKER_WORKFLOW_TASK_POLLERS/);
  });

  it('splits allowlists', () => {
    expect(loadConfig({ EVROTRUST_ALLOWED_IPS: '10.0.0.0/8, 192.0.2.1' }).providers.evrotrust.allowedIps).toEqual(['10.0.0.0/8', '192.0.2.1']);
  });
});

describe('address allowlist', () => {
  const allowed = createAllowlist(['191.235.80.91', '10.1.0.0/16', '2001:db8::/32']);
  it.each([
    ['191.235.80.91', true],
    ['::ffff:191.235.80.91', true],
    ['10.1.200.3', true],
    ['10.2.0.1', false],
    ['2001:db8::1', true],
    ['127.0.0.1', false],
    [undefined, false],
  ])('%s → %s', (ip, expected) => expect(allowed(ip)).toBe(expected));

  it('allows all when empty', () => expect(createAllowlist([])('203.0.113.9')).toBe(true));
  it('refuses a bad entry at startup', () => expect(() => createAllowlist(['nonsense'])).toThrow(/nonsense/));
});

describe('workflow ids', () => {
  it('round-trips, ids with colons included', () => {
    const ref = { provider: 'signicat', kind: 'signing', externalId: 'a:b' } as const;
    expect(workflowIdFor(ref)).toBe('signing:signicat:a:b');
    expect(parseWorkflowId('signing:signicat:a:b')).toEqual(ref);
    expect(parseWorkflowId('registered-mail:portal-de-assinaturas:9')).toMatchObject({ kind: 'registered-mail' });
    expect(parseWorkflowId('other:evrotrust:1')).toBeUndefined();
  });
});
