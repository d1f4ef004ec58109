// `npm run demo -- --exit` end to end, as a child process on free loopback ports: once on its
// own (embedded dev server, worker, receivers, simulators), once attached to a Countersign this
// test runs, whose application API then tells what became of every transaction.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { scenariosOf } from '../../src/demo/scenarios';
import type { TransactionState } from '../../src/common/types';
import { apiUrlVariable, demoProviders, portVariable } from '../../src/simulators/demo-providers';
import { simulatorCredentials } from '../../src/simulators/start';
import { testConfig } from '../helpers/config';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv } from '../helpers/temporal';

const root = resolve(__dirname, '..', '..');
const PROVIDERS = demoProviders();
const SCENARIOS = scenariosOf(PROVIDERS);
const PROVIDER_LABEL = {
  evrotrust: 'Evrotrust',
  signhost: 'Signhost',
  signicat: 'Signicat',
  'portal-de-assinaturas': 'Portal de Assinaturas',
};

function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => r(port));
    });
  });
}

/** Free ports for the simulators, as `<PREFIX>_SIMULATOR_PORT`. */
async function simulatorPorts(): Promise<Record<string, string>> {
  const entries = await Promise.all(
    PROVIDERS.map(async ({ module }) => [portVariable(module), String(await freePort())]),
  );
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Runs `tsx src/demo/main.ts ...args` to its end; the environment is ours alone, plus PATH. */
function runDemo(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((r) => {
    const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['src/demo/main.ts', ...args], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DEMO_BEAT_MS: '200',
        DEMO_TIMEOUT_MS: '45000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => r({ code, out }));
  });
}

/** The summary's line for a scenario (after the live lines, which come first). */
function summaryLine(out: string, provider: string, title: string): string {
  const summary = out.slice(out.lastIndexOf('provider  '));
  const line = summary
    .split('\n')
    .find((l) => l.includes(PROVIDER_LABEL[provider as keyof typeof PROVIDER_LABEL]) && l.includes(title));
  if (!line) throw new Error(`no summary line for ${provider} ${title} in:\n${out}`);
  return line;
}

describe('npm run demo --exit', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'countersign-demo-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('standalone, beside a running Countersign it leaves alone: starts Temporal, Countersign and the simulators, and every scenario ends as expected', async () => {
    const ports = { PORT: await freePort(), TEMPORAL_PORT: await freePort(), TEMPORAL_UI_PORT: await freePort() };
    // The user's own instance: it answers, and its data folder must stay untouched.
    const theirs = createHttpServer((req, res) => {
      theirRequests.push(`${req.method} ${req.url}`);
      res.end('{"status":"ok"}');
    });
    const theirRequests: string[] = [];
    await new Promise<void>((r) => theirs.listen(0, '127.0.0.1', () => r()));
    const theirUrl = `http://127.0.0.1:${(theirs.address() as { port: number }).port}`;
    const theirDataDir = join(dataDir, 'users-own-instance');
    const { code, out } = await runDemo(['--exit'], {
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      ...(await simulatorPorts()),
      COUNTERSIGN_URL: theirUrl,
      COUNTERSIGN_DATA_DIR: theirDataDir,
      DEMO_DATA_DIR: join(dataDir, 'demo'),
    }).finally(() => theirs.close());
    expect({ code, out }).toMatchObject({ code: 0 });
    expect(out).toContain(`A Countersign answers at ${theirUrl}; the demo leaves it alone`);
    expect(theirRequests).toEqual(['GET /healthz']);
    expect(existsSync(theirDataDir)).toBe(false);
    expect(existsSync(join(dataDir, 'demo', 'temporal.db'))).toBe(true);
    expect(out).toContain(`http://127.0.0.1:${ports.PORT}`);
    expect(out).toContain(`All ${SCENARIOS.length} transactions ended as expected`);
    for (const s of SCENARIOS) {
      const line = summaryLine(out, s.provider, s.title);
      expect(line).toMatch(/^\s*✓/);
      expect(line).toContain(` ${s.expect.status} `);
      expect(line).toContain(s.expect.afterNotify ? 'Notify → callback' : ` ${s.expect.source} `);
    }
    // The Web UI of the demo's own dev server, with filters ready.
    expect(out).toContain(
      `http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/namespaces/default/workflows?query=${encodeURIComponent('SigningProvider="signhost"')}`,
    );
  }, 120_000);

  describe('attached to a running Countersign', () => {
    let env: TestWorkflowEnvironment;
    let stack: Stack;
    let simPorts: Record<string, string>;

    beforeAll(async () => {
      simPorts = await simulatorPorts();
      const apiUrls = Object.fromEntries(
        PROVIDERS.map(({ module }) => [apiUrlVariable(module), `http://127.0.0.1:${simPorts[portVariable(module)]}`]),
      );
      env = await startDevServerEnv();
      stack = await startStack(env, testConfig({ ...apiUrls, ...simulatorCredentials({}) }));
    }, 120_000);

    afterAll(async () => {
      await stack?.stop();
      await env?.teardown();
    });

    it('drives the simulators against it; its API shows every transaction as the scenario expects', async () => {
      const { code, out } = await runDemo(['--exit', '--attach'], {
        ...simPorts,
        COUNTERSIGN_URL: stack.app.url,
        TEMPORAL_ADDRESS: env.address,
      });
      expect({ code, out }).toMatchObject({ code: 0 });
      expect(out).toContain('already running: the demo uses it');

      const ids = [...out.matchAll(/^\s+((?:signing|registered-mail):\S+)$/gm)].map((m) => m[1]);
      expect(ids).toHaveLength(SCENARIOS.length);
      const states: TransactionState[] = [];
      for (const id of ids) {
        const res = await fetch(`${stack.app.url}/transactions/${encodeURIComponent(id)}`);
        expect(res.status).toBe(200);
        states.push((await res.json()) as TransactionState);
      }
      SCENARIOS.forEach((s, i) => {
        const state = states[i];
        expect({ provider: state.provider, kind: state.kind, status: state.status }).toEqual({
          provider: s.provider,
          kind: s.kind,
          status: s.expect.status,
        });
        const decisive = [...state.events].reverse().find((e) => e.applied && e.status === state.status);
        expect(decisive?.source).toBe(s.expect.source);
        if (s.expect.afterNotify) expect(state.lastFollowUp?.outcome).toMatch(/^notify requested/);
      });
      // What the demo promises to show: all four providers; signed, rejected, polled, Notify, mail opened.
      expect(new Set(states.map((s) => s.provider)).size).toBe(4);
      expect(states.filter((s) => s.status === 'rejected').length).toBeGreaterThan(0);
      expect(states.some((s) => s.events.some((e) => e.source === 'poll' && e.status === 'signed'))).toBe(true);
      expect(states.some((s) => s.kind === 'registered-mail' && s.events.some((e) => e.status === 'delivered'))).toBe(
        true,
      );
      expect(states.some((s) => s.provider === 'signhost' && s.events.some((e) => e.type === 'signerAction'))).toBe(
        true,
      );
    }, 120_000);
  });
});

describe('refusals', () => {
  it('--attach with nothing to attach to says so and how to fix it', async () => {
    const { code, out } = await runDemo(['--exit', '--attach'], {
      COUNTERSIGN_URL: `http://127.0.0.1:${await freePort()}`,
    });
    expect(code).toBe(1);
    expect(out).toMatch(/--attach: no Countersign answers at http:\/\/127\.0\.0\.1:\d+; start one \(npm start\)/);
  }, 60_000);
});
