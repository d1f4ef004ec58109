// Bundles the workflow code once, at build time, so production workers start without
// webpack: `npm run bundle:workflows [out-file]`, then run the worker with
// WORKFLOW_BUNDLE_PATH pointing at the file (the container image does both).
import { resolve } from 'node:path';
import { writeWorkflowBundleFile } from '../src/temporal/workflow-bundle';

export const DEFAULT_BUNDLE_PATH = resolve(__dirname, '..', 'lib', 'workflow-bundle.js');

export function writeWorkflowBundle(outFile: string = DEFAULT_BUNDLE_PATH): Promise<string> {
  return writeWorkflowBundleFile(outFile);
}

if (require.main === module) {
  writeWorkflowBundle(process.argv[2] ? resolve(process.argv[2]) : undefined)
    .then((file) => process.stdout.write(`workflow bundle written to ${file}\n`))
    .catch((err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
