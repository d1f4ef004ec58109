// Bundles the workflow code once, at build time, so production workers start without
// webpack: `npm run bundle:workflows [out-file]`, then run the worker with
// WORKFLOW_BUNDLE_PATH pointing at the file (the container image does both).
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../src/encryption/data-converter';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export const DEFAULT_BUNDLE_PATH = resolve(__dirname, '..', 'lib', 'workflow-bundle.js');

export async function writeWorkflowBundle(outFile: string = DEFAULT_BUNDLE_PATH): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../src/workflows'),
    // Failures raised in workflow code carry their message encrypted, as the worker's do.
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });
  await mkdir(dirname(outFile), { recursive: true });
  await writeFile(outFile, code);
  return outFile;
}

if (require.main === module) {
  writeWorkflowBundle(process.argv[2] ? resolve(process.argv[2]) : undefined)
    .then((file) => process.stdout.write(`workflow bundle written to ${file}\n`))
    .catch((err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
