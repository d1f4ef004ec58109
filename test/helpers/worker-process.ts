// Starts test/helpers/worker-main.ts as a child process and kills it on demand.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { workflowBundleCode } from './temporal';

export interface WorkerProcess {
  pid: number;
  /** Sends the signal and waits for the process to be gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

let bundlePath: Promise<string> | undefined;
function bundleFile(): Promise<string> {
  bundlePath ??= workflowBundleCode().then(({ code }) => {
    const file = join(mkdtempSync(join(tmpdir(), 'countersign-bundle-')), 'workflow-bundle.js');
    writeFileSync(file, code);
    return file;
  });
  return bundlePath;
}

/** A worker process configured by `env` (TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE, credentials...). */
export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const root = resolve(__dirname, '../..');
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/worker-main.ts')], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env, WORKFLOW_BUNDLE_PATH: await bundleFile() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  await new Promise<void>((ready, fail) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker running')) ready();
    });
    void exited.then(() => fail(new Error(`worker process exited before it ran: ${stderr}`)));
  });
  return {
    pid: child.pid!,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}
