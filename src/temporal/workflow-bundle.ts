// The workflow bundle, built the same way wherever one is built ahead of the worker: `npm start`
// once at startup for its worker process (a worker restarted after a crash then runs in a
// second instead of bundling again), `npm run bundle:workflows` for the container image, the
// tests and the benchmark.
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { FAILURE_CONVERTER_PATH } from '../encryption/data-converter';
import { WORKFLOW_TRACING_MODULE } from '../tracing/temporal';

/** `workflowsPath`: another module exporting Countersign's workflows and more (tests). */
export function bundleWorkflows(workflowsPath = require.resolve('../workflows')): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath,
    // Failures raised in workflow code carry their message encrypted, as the worker's do. A
    // prebuilt bundle does not take the worker's converter: it must be bundled in.
    failureConverterPath: FAILURE_CONVERTER_PATH,
    // A prebuilt bundle ignores the worker's workflow interceptor modules: they must be in it.
    workflowInterceptorModules: [WORKFLOW_TRACING_MODULE],
    logger: new DefaultLogger('WARN'),
  });
}

/** Bundles and writes the code to `file`; returns the file's path. */
export async function writeWorkflowBundleFile(file: string): Promise<string> {
  const { code } = await bundleWorkflows();
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, code);
  return file;
}

export function writeStartupBundle(dataDir: string): Promise<string> {
  return writeWorkflowBundleFile(join(resolve(dataDir), 'workflow-bundle.js'));
}
