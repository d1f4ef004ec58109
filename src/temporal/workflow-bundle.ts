// The workflow bundle `npm start` builds once at startup for its worker process, so a worker
// restarted after a crash runs in a second instead of bundling again.
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export async function writeStartupBundle(dataDir: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') });
  const file = join(resolve(dataDir), 'workflow-bundle.js');
  await mkdir(resolve(dataDir), { recursive: true });
  await writeFile(file, code);
  return file;
}
