// The compiled package as the container image holds it. `npm run build` writes into a directory
// of its own laid out like the image's /app (package.json, bin/, lib/, and the production
// dependencies only: no tsx, no TypeScript), then the library entry points, the operator CLI
// and a user's activities module run from it in plain Node processes, the CLI against a real
// dev server. Nothing here goes through tsx or ts-jest unless a test says so.
import { execFile, spawn, type ExecFileException } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parse } from 'yaml';
import { eventually } from '../helpers/http';
import { freePort } from '../helpers/ports';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';

const root = resolve(__dirname, '..', '..');
let app: string;
let env: TestWorkflowEnvironment;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; a non-zero exit is a result, not an exception. */
function run(file: string, args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<Run> {
  return new Promise((done) => {
    execFile(
      file,
      args,
      { cwd: opts.cwd, env: opts.env, maxBuffer: 16 * 1024 * 1024 },
      (err: ExecFileException | null, stdout, stderr) => {
        done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** Node in a clean environment: nothing of jest's or the developer's, unless given. */
function node(args: string[], extra: Record<string, string> = {}): Promise<Run> {
  return run(process.execPath, args, {
    cwd: app,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', ...extra },
  });
}

/**
 * node_modules as `npm prune --omit=dev` leaves it: a link for each top-level package the
 * production dependencies need (nested ones come with their parent's folder).
 */
async function linkProductionDependencies(into: string): Promise<string[]> {
  const ls = await run('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: root,
    env: { ...process.env } as Record<string, string>,
  });
  // npm ls exits 1 over a tree problem (an extraneous package) yet lists the tree: only an
  // empty list stops here; a package it left out fails the test where it is needed.
  if (!ls.stdout.trim()) throw new Error(`npm ls failed: ${ls.stderr}`);
  const top = join(root, 'node_modules') + sep;
  const names = ls.stdout
    .split('\n')
    .filter((p) => p.startsWith(top))
    .map((p) => p.slice(top.length))
    .filter((name) => !name.includes(`${sep}node_modules${sep}`) && /^(@[^/\\]+[/\\])?[^/\\@][^/\\]*$/.test(name));
  for (const name of new Set(names)) {
    mkdirSync(dirname(join(into, 'node_modules', name)), { recursive: true });
    symlinkSync(join(top, name), join(into, 'node_modules', name), 'dir');
  }
  return names;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'));
}

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'countersign-package-'));
  // The build and the dev server start side by side; the build is most of the wait. The build
  // script as it is, told where to write and not to type-check (the same JavaScript, a quarter
  // less CPU; type errors are `npm run typecheck`'s to find).
  const [build, devServer] = await Promise.all([
    run('npm', ['run', 'build', '--', '--outDir', join(app, 'lib'), '--noCheck'], {
      cwd: root,
      env: { ...process.env } as Record<string, string>,
    }),
    startDevServerEnv(),
  ]);
  env = devServer;
  if (build.code !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
  copyFileSync(join(root, 'package.json'), join(app, 'package.json'));
  cpSync(join(root, 'bin'), join(app, 'bin'), { recursive: true });
  await linkProductionDependencies(app);
}, 120_000);

afterAll(async () => {
  await env?.teardown();
  if (app) rmSync(app, { recursive: true, force: true });
});

it('holds production dependencies only: neither tsx nor TypeScript', () => {
  const installed = readdirSync(join(app, 'node_modules'));
  expect(installed).toEqual(expect.arrayContaining(['@temporalio', 'express', 'zod']));
  for (const dev of ['tsx', 'typescript', 'ts-jest', 'jest', 'esbuild']) expect(installed).not.toContain(dev);
  expect(existsSync(join(app, 'src'))).toBe(false);
});

it('compiles no simulator, demo or provider sample, and no TypeScript source', () => {
  const files = filesUnder(join(app, 'lib'));
  expect(files).toEqual(
    expect.arrayContaining([
      'index.js',
      'client.js',
      'cli/countersign.js',
      'worker.js',
      'server.js',
      'workflows/index.js',
    ]),
  );
  const devOnly = files.filter(
    (f) => /^(simulators|demo)\//.test(f) || /^providers\/[^/]+\/(simulator[^/]*|samples\/.*)$/.test(f),
  );
  expect(devOnly).toEqual([]);
  // Imported from production code, a simulator would be compiled despite the exclusion: none is.
  expect(files.filter((f) => /simulat|demo/i.test(f))).toEqual([]);
  expect(files.filter((f) => !/\.(js|d\.ts|json)$/.test(f))).toEqual([]);
});

it('has every file the image, the compose stack and package.json run', () => {
  const compiled = (path: string) => join(app, path.replace(/^\/app\//, '').replace(/^\.\//, ''));
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const execForm = [...dockerfile.matchAll(/^(?:CMD|HEALTHCHECK .*CMD) (\[.*\])$/gm)].map(
    (m) => JSON.parse(m[1]) as string[],
  );
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { command?: string[]; healthcheck?: { test: string[] } }>;
  };
  const composed = ['countersign-worker', 'countersign-server'].flatMap((s) => [
    compose.services[s].command ?? [],
    compose.services[s].healthcheck?.test.slice(1) ?? [],
  ]);
  const scripts = [...execForm, ...composed].filter((cmd) => cmd[0] === 'node').map((cmd) => cmd[1]);
  expect(scripts).toEqual(expect.arrayContaining(['lib/server.js', 'lib/worker.js', 'lib/healthcheck.js']));

  const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as {
    main: string;
    types: string;
    exports: Record<string, string | Record<string, string>>;
  };
  const entryPoints = [
    pkg.main,
    pkg.types,
    'bin/countersign.js',
    ...Object.values(pkg.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t))),
  ];
  const missing = [...scripts, ...entryPoints].filter((path) => !existsSync(compiled(path)));
  expect(missing).toEqual([]);
});

it('serves the library API through package.json to plain Node', async () => {
  writeFileSync(
    join(app, 'probe-api.js'),
    `const api = require('countersign');
const client = require('countersign/client');
const loaded = Object.keys(require.cache);
console.log(JSON.stringify({
  api: Object.keys(api).filter((k) => typeof api[k] === 'function').sort(),
  client: Object.keys(client).filter((k) => typeof client[k] === 'function').sort(),
  typescript: loaded.filter((f) => /\\.ts$|[\\\\/](tsx|typescript|ts-jest)[\\\\/]/.test(f)),
  from: require.resolve('countersign'),
}));`,
  );
  const probe = await node(['probe-api.js']);
  expect(probe).toMatchObject({ code: 0, stderr: '' });
  const seen = JSON.parse(probe.stdout) as { api: string[]; client: string[]; typescript: string[]; from: string };
  expect(seen.from).toBe(join(app, 'lib', 'index.js'));
  expect(seen.api).toEqual(
    expect.arrayContaining([
      'startCountersignWorker',
      'startSigningTransaction',
      'getTransactionState',
      'workflowIdFor',
      'loadConfig',
      'ConfigError',
      'UserActivitiesError',
      'defineProvider',
      'receiveCallback',
    ]),
  );
  expect(seen.client).toEqual(
    expect.arrayContaining([
      'startSigningTransaction',
      'startRegisteredMail',
      'getTransactionState',
      'countersignDataConverter',
    ]),
  );
  expect(seen.typescript).toEqual([]);
});

it('registers a transaction with the compiled library and lists it with the compiled CLI', async () => {
  const taskQueue = uniqueId('compiled');
  const externalId = uniqueId();
  const temporal = {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
  };
  writeFileSync(
    join(app, 'probe-register.js'),
    `const { Client, Connection } = require('@temporalio/client');
const { startSigningTransaction } = require('countersign/client');
(async () => {
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE });
  const started = await startSigningTransaction(client, { provider: 'evrotrust', externalId: process.argv[2], taskQueue: process.env.TEMPORAL_TASK_QUEUE });
  console.log(JSON.stringify(started));
  await connection.close();
})().catch((err) => { console.error(err); process.exit(1); });`,
  );
  const registered = await node(['probe-register.js', externalId], temporal);
  expect(registered).toMatchObject({ code: 0, stderr: '' });
  expect(JSON.parse(registered.stdout)).toMatchObject({ workflowId: `signing:evrotrust:${externalId}`, created: true });

  // No worker runs: the transaction stays open, which is what `--open` lists.
  const listed = await eventually(
    async () => {
      const list = await node(['bin/countersign.js', 'list', '--provider', 'evrotrust', '--open'], temporal);
      expect(list).toMatchObject({ code: 0, stderr: '' });
      expect(list.stdout).toContain(`signing:evrotrust:${externalId}`);
      return list;
    },
    30_000,
    500,
  );
  expect(listed.stdout).toMatch(new RegExp(`signing:evrotrust:${externalId}\\s+pending\\s+running`));

  // The file the image links as `countersign` on its PATH, run through that link.
  mkdirSync(join(app, 'path-bin'));
  symlinkSync(join(app, 'bin', 'countersign.js'), join(app, 'path-bin', 'countersign'));
  const viaLink = await run(
    join(app, 'path-bin', 'countersign'),
    ['list', '--provider', 'evrotrust', '--open', '--json'],
    {
      cwd: app,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...temporal },
    },
  );
  expect(viaLink).toMatchObject({ code: 0, stderr: '' });
  expect(viaLink.stdout).toContain(`signing:evrotrust:${externalId}`);
});

/** A compiled entry point as a long-running process, as the image's CMD or compose's command starts it. */
function startProcess(script: string, processEnv: Record<string, string>) {
  const proc = spawn(process.execPath, [script], { cwd: app, env: processEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return {
    /** SIGTERM, as `docker stop` sends it; resolves with the exit code and what went to stderr. */
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return { code: await exited, stderr };
    },
  };
}

it('runs the roles the image runs: receivers and worker from lib/, a user step, the health probes, the CLI', async () => {
  const [serverPort, workerPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const common = {
    PATH: process.env.PATH ?? '',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    TEMPORAL_TASK_QUEUE: uniqueId('compiled'),
  };
  const serverEnv = { ...common, PORT: String(serverPort) };
  // No WORKFLOW_BUNDLE_PATH: the worker bundles the compiled workflows itself.
  const workerEnv = {
    ...common,
    PORT: String(workerPort),
    TEMPORAL_METRICS_PORT: String(metricsPort),
    COUNTERSIGN_ACTIVITIES_MODULE: join(root, 'test', 'fixtures', 'user-activities', 'compiled.js'),
  };
  const server = startProcess('lib/server.js', serverEnv);
  const worker = startProcess('lib/worker.js', workerEnv);
  let stopped: Array<{ code: number | null; stderr: string }>;
  try {
    // As Docker runs HEALTHCHECK and compose its readiness probes: until they pass.
    const healthy = (path: string, processEnv: Record<string, string>) =>
      eventually(
        async () => expect(await node(['lib/healthcheck.js', path], processEnv)).toMatchObject({ code: 0 }),
        60_000,
        300,
      );
    await healthy('/healthz', serverEnv);
    await healthy('/readyz', serverEnv);

    const externalId = uniqueId();
    const workflowId = `signing:evrotrust:${externalId}`;
    const post = (path: string, body: unknown) =>
      fetch(`http://127.0.0.1:${serverPort}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(
      (await post('/transactions', { provider: 'evrotrust', externalId, steps: { onSigned: ['stampReceipt'] } }))
        .status,
    ).toBe(201);
    await healthy('/readyz', workerEnv);
    expect((await post('/callbacks/evrotrust', { transactionID: externalId, status: 2 })).status).toBe(200);

    // The worker recorded the callback and ran the user's step; the CLI reads it back.
    await eventually(
      async () => {
        const show = await node(['bin/countersign.js', 'show', workflowId], serverEnv);
        expect(show).toMatchObject({ code: 0, stderr: '' });
        expect(show.stdout).toMatch(/status\s+signed \(provider: 2\)/);
        expect(show.stdout).toMatch(/step stampReceipt: completed/);
      },
      30_000,
      500,
    );
  } finally {
    stopped = await Promise.all([server.stop(), worker.stop()]);
  }
  // A clean stop on SIGTERM, for both.
  expect(stopped).toEqual([
    { code: 0, stderr: '' },
    { code: 0, stderr: '' },
  ]);
  // With the server gone the probe fails, so Docker would see the container unhealthy.
  expect(await node(['lib/healthcheck.js', '/healthz'], serverEnv)).toMatchObject({ code: 1 });
}, 90_000);

describe("a user's activities module, loaded by compiled code", () => {
  const fixture = (name: string) => join(root, 'test', 'fixtures', 'user-activities', name);
  const load = async (file: string, extra: Record<string, string> = {}) => {
    writeFileSync(
      join(app, 'probe-activities.js'),
      `const { loadUserActivities } = require('./lib/activities/user-activities');
const { loadConfig } = require('./lib/config');
loadUserActivities(process.argv[2], { config: loadConfig({}) }).then(
  (activities) => console.log(JSON.stringify({ activities: Object.keys(activities) })),
  (err) => console.log(JSON.stringify({ error: err.message })),
);`,
    );
    const probe = await node(['probe-activities.js', file], extra);
    expect(probe).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(probe.stdout) as { activities?: string[]; error?: string };
  };

  it('loads a JavaScript module', async () => {
    expect(await load(fixture('compiled.js'))).toEqual({ activities: ['stampReceipt'] });
  });

  it('refuses a TypeScript module where tsx is not installed, saying what to do', async () => {
    const { error } = await load(fixture('named.ts'));
    expect(error).toMatch(/^COUNTERSIGN_ACTIVITIES_MODULE \(.*named\.ts\): is TypeScript/);
    expect(error).toContain('compile the module to JavaScript');
  });

  it('loads a TypeScript module through tsx where it is installed (a development checkout)', async () => {
    // The checkout's node_modules, tsx included, behind the pruned ones.
    expect(await load(fixture('named.ts'), { NODE_PATH: join(root, 'node_modules') })).toEqual({
      activities: ['stampContract'],
    });
    expect(await load(fixture('factory.ts'), { NODE_PATH: join(root, 'node_modules') })).toEqual({
      activities: ['recordOutcome'],
    });
  });
});
