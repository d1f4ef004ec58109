// The test run's safety net (test/helpers/open-handles-report.ts, Jest's globalTeardown): a
// child Jest runs a fixture test that leaks, and must end by itself, name what leaked and keep
// the run's result. A fixture that closes everything ends without any report.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { openHandles } from '../helpers/open-handles-report';

const ROOT = resolve(__dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/open-handles');

function runJest(fixture: string, graceMs: number): Promise<{ code: number | null; stderr: string }> {
  const config = {
    rootDir: FIXTURES,
    testEnvironment: 'node',
    testMatch: [`**/${fixture}`],
    transform: { '^.+\\.ts$': [require.resolve('ts-jest'), { diagnostics: false }] },
    globalTeardown: join(ROOT, 'test/helpers/open-handles-report.ts'),
  };
  const child = spawn(
    process.execPath,
    [require.resolve('jest/bin/jest'), '--runInBand', '--ci', '--config', JSON.stringify(config)],
    {
      cwd: ROOT,
      env: { ...process.env, COUNTERSIGN_TEST_EXIT_GRACE_MS: String(graceMs) },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  return new Promise((done) => child.once('close', (code) => done({ code, stderr })));
}

it('names a server a test left listening', async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  expect(openHandles()).toContain(`server listening on 127.0.0.1:${port}`);
  await new Promise<void>((r) => server.close(() => r()));
  expect(openHandles()).not.toContain(`server listening on 127.0.0.1:${port}`);
});

it('ends a passing run that leaked a server, naming it, with the passing result', async () => {
  const { code, stderr } = await runJest('leaves-a-server-open.fixture.ts', 1000);
  expect(stderr).toMatch(/Tests:\s+1 passed, 1 total/);
  expect(stderr).toMatch(/Jest has not exited 1s after the run/);
  expect(stderr).toMatch(/- server listening on 127\.0\.0\.1:\d+/);
  expect(code).toBe(0);
});

it('ends a failing run that leaked a timer, naming it, with the failing result', async () => {
  const { code, stderr } = await runJest('fails-and-leaves-a-timer.fixture.ts', 1000);
  expect(stderr).toMatch(/Tests:\s+1 failed, 1 total/);
  expect(stderr).toMatch(/- Timeout/);
  expect(code).toBe(1);
});

it('ends a run held by a Temporal runtime nothing shut down, saying no Node handle is open', async () => {
  const { code, stderr } = await runJest('installs-a-temporal-runtime.fixture.ts', 1000);
  expect(stderr).toMatch(/Tests:\s+1 passed, 1 total/);
  expect(stderr).toMatch(/Jest has not exited 1s after the run[^]*no Node handle: a native add-on/);
  expect(code).toBe(0);
});

it('lets a run that closed everything end on its own, with no report', async () => {
  // A grace far beyond the test timeout: the run can only end here by exiting cleanly.
  const { code, stderr } = await runJest('closes-everything.fixture.ts', 600_000);
  expect(stderr).toMatch(/Tests:\s+1 passed, 1 total/);
  expect(stderr).not.toMatch(/has not exited/);
  expect(code).toBe(0);
});
