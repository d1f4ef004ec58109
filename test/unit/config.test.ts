import { ConfigError, loadConfig } from '../../src/config';
import { createAllowlist } from '../../src/providers/kit/address-allowlist';
import { parseWorkflowId, workflowIdFor } from '../../src/common/ids';
import { evrotrust } from '../../src/providers/evrotrust';
import { settingsOf } from '../../src/providers/module';
import { portalDeAssinaturas } from '../../src/providers/portal-de-assinaturas';
import { signicat } from '../../src/providers/signicat';

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

  it('parses the post-signing step settings, documents under the data folder by default', () => {
    expect(loadConfig({}).steps).toEqual({
      activitiesModule: undefined,
      documentsDir: '.data/documents',
      notify: { url: undefined, secret: undefined },
    });
    expect(loadConfig({ COUNTERSIGN_DATA_DIR: '/var/lib/countersign' }).steps.documentsDir).toBe(
      '/var/lib/countersign/documents',
    );
    const c = loadConfig({
      COUNTERSIGN_ACTIVITIES_MODULE: 'steps/mine.ts',
      COUNTERSIGN_DOCUMENTS_DIR: '/srv/documents',
      COUNTERSIGN_NOTIFY_URL: 'https://app.example/hooks',
      COUNTERSIGN_NOTIFY_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    });
    expect(c.steps).toEqual({
      activitiesModule: 'steps/mine.ts',
      documentsDir: '/srv/documents',
      notify: { url: 'https://app.example/hooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    });
  });

  it.each([
    ['COUNTERSIGN_NOTIFY_URL', 'ftp://app.example/hooks'],
    ['COUNTERSIGN_NOTIFY_URL', 'not a url'],
    ['COUNTERSIGN_NOTIFY_SECRET', 'whsec_not*base64'],
    ['COUNTERSIGN_NOTIFY_SECRET', 'a-raw-shared-secret'],
    ['COUNTERSIGN_NOTIFY_SECRET', 'whsec_'],
    ['COUNTERSIGN_NOTIFY_SECRET', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS'],
  ])('refuses %s=%s', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(variable));
  });

  it('reads the notification secret as Standard Webhooks libraries do: base64, whsec_ optional, never echoed', () => {
    expect(loadConfig({ COUNTERSIGN_NOTIFY_SECRET: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }).steps.notify.secret).toBe(
      'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    );
    expect(loadConfig({ COUNTERSIGN_NOTIFY_SECRET: '' }).steps.notify.secret).toBeUndefined();
    let message = '';
    try {
      loadConfig({ COUNTERSIGN_NOTIFY_SECRET: 'correct-horse-battery-staple' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/COUNTERSIGN_NOTIFY_SECRET: expected standard base64/);
    expect(message).not.toMatch(/horse/);
  });

  it('passes worker tuning only when set', () => {
    const pollers = { workflowTaskPollerBehavior: { type: 'autoscaling' } };
    expect(loadConfig({}).worker).toEqual(pollers);
    expect(
      loadConfig({
        WORKER_MAX_CACHED_WORKFLOWS: '500',
        WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '20',
        WORKER_MAX_CONCURRENT_ACTIVITIES: '',
      }).worker,
    ).toEqual({
      maxCachedWorkflows: 500,
      maxConcurrentWorkflowTaskExecutions: 20,
      ...pollers,
    });
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: 'lots' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
    expect(() => loadConfig({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' })).toThrow(
      /WORKER_MAX_CONCURRENT_WORKFLOW_TASKS/,
    );
  });

  it('reads the workflow task pollers as autoscaling (the default) or a maximum', () => {
    expect(loadConfig({ WORKER_WORKFLOW_TASK_POLLERS: 'autoscaling' }).worker).toEqual({
      workflowTaskPollerBehavior: { type: 'autoscaling' },
    });
    expect(loadConfig({ WORKER_WORKFLOW_TASK_POLLERS: '20' }).worker).toEqual({
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 20 },
    });
    expect(() => loadConfig({ WORKER_WORKFLOW_TASK_POLLERS: 'many' })).toThrow(/WORKER_WORKFLOW_TASK_POLLERS/);
  });

  it('reads flood control and worker restarts, with their documented defaults and bounds', () => {
    expect(loadConfig({}).floodControl).toEqual({
      dedupe: { maxEntries: 100_000, ttlMs: 600_000 },
      rate: { ratePerSecond: 5, burst: 20, maxWaitMs: 2000, maxTracked: 10_000 },
    });
    expect(loadConfig({}).workerRestart).toEqual({ initialMs: 1000, maxMs: 30_000 });
    const c = loadConfig({
      CALLBACK_DEDUPE_ENTRIES: '0',
      CALLBACK_DEDUPE_TTL: '1h',
      CALLBACK_RATE_PER_TRANSACTION: '0.5',
      CALLBACK_RATE_MAX_WAIT: '0s',
      WORKER_RESTART_DELAY: '200ms',
    });
    expect(c.floodControl).toMatchObject({
      dedupe: { maxEntries: 0, ttlMs: 3_600_000 },
      rate: { ratePerSecond: 0.5, maxWaitMs: 0 },
    });
    expect(c.workerRestart.initialMs).toBe(200);
    // Longer than the providers' timeouts allow.
    expect(() => loadConfig({ CALLBACK_RATE_MAX_WAIT: '10s' })).toThrow(/CALLBACK_RATE_MAX_WAIT/);
    expect(() => loadConfig({ CALLBACK_RATE_PER_TRANSACTION: '-1' })).toThrow(/CALLBACK_RATE_PER_TRANSACTION/);
    expect(() => loadConfig({ CALLBACK_BURST_PER_TRANSACTION: '0' })).toThrow(/CALLBACK_BURST_PER_TRANSACTION/);
    expect(() => loadConfig({ CALLBACK_DEDUPE_TTL: 'a while' })).toThrow(/CALLBACK_DEDUPE_TTL/);
    expect(() => loadConfig({ WORKER_RESTART_MAX_DELAY: 'later' })).toThrow(/WORKER_RESTART_MAX_DELAY/);
  });

  it('splits allowlists', () => {
    expect(settingsOf(loadConfig({ EVROTRUST_ALLOWED_IPS: '10.0.0.0/8, 192.0.2.1' }), evrotrust).allowedIps).toEqual([
      '10.0.0.0/8',
      '192.0.2.1',
    ]);
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

describe('follow-up settings per provider', () => {
  it('defaults each provider to its own schedule and task queue', () => {
    const c = loadConfig({ TEMPORAL_TASK_QUEUE: 'q' });
    expect(c.engine.providers).toEqual({
      signicat: {
        followUp: { firstAfter: '15 minutes', maxInterval: '6 hours' },
        followUpTaskQueue: 'q-follow-up-signicat',
      },
      evrotrust: {
        followUp: { firstAfter: '1 hour', maxInterval: '1 day' },
        followUpTaskQueue: 'q-follow-up-evrotrust',
      },
      'portal-de-assinaturas': {
        followUp: { firstAfter: '25 hours', maxInterval: '1 day' },
        followUpTaskQueue: 'q-follow-up-portal-de-assinaturas',
      },
      signhost: {
        followUp: { firstAfter: '73 hours', maxInterval: '1 day' },
        followUpTaskQueue: 'q-follow-up-signhost',
      },
    });
  });

  it('prefers the provider’s own variable, then an engine-wide one the operator set', () => {
    const c = loadConfig({
      FOLLOW_UP_FIRST_AFTER: '2h',
      SIGNHOST_FOLLOW_UP_FIRST_AFTER: '1 day',
      SIGNICAT_FOLLOW_UP_MAX_INTERVAL: '1h',
    });
    expect(c.engine.providers.signhost?.followUp).toEqual({ firstAfter: '1 day', maxInterval: '1 day' });
    expect(c.engine.providers.evrotrust?.followUp).toEqual({ firstAfter: '2h', maxInterval: '1 day' });
    expect(c.engine.providers.signicat?.followUp).toEqual({ firstAfter: '2h', maxInterval: '1h' });
  });

  it('runs follow-ups on the main task queue when FOLLOW_UP_TASK_QUEUES is off', () => {
    const c = loadConfig({ FOLLOW_UP_TASK_QUEUES: 'false' });
    expect(c.engine.providers.evrotrust).not.toHaveProperty('followUpTaskQueue');
  });

  it('builds the API settings, with the Signicat token URL under its API by default', () => {
    const c = loadConfig({
      SIGNICAT_API_URL: 'http://127.0.0.1:9/',
      PROVIDER_API_TIMEOUT: '2s',
      SIGNHOST_API_RATE_LIMIT: '0.5',
    });
    expect(c.providers.signicat).toMatchObject({
      tokenUrl: 'http://127.0.0.1:9/auth/open/connect/token',
      timeoutMs: 2000,
      maxAttempts: 3,
    });
    expect(settingsOf(c, signicat).notifyPath).toBe('/assure/dossiers/{dossierId}/processes/{processId}/notify');
    expect(settingsOf(c, portalDeAssinaturas).statusPath).toBe('/document/details?key={documentId}');
    expect(c.providers.signhost.rateLimit).toBe(0.5);
  });

  it.each([
    ['SIGNHOST_API_RATE_LIMIT', '0'],
    ['EVROTRUST_FOLLOW_UP_FIRST_AFTER', 'later'],
    ['SIGNICAT_NOTIFY_PATH', 'notify'],
    ['PROVIDER_API_ATTEMPTS', '0'],
  ])('names %s when it is bad', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(variable));
  });
});
