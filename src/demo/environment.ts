// Where the demo runs. Standalone (the default, even beside a running `npm start`): its own
// Countersign (embedded dev server on its own data folder, worker, receivers) and every
// provider's simulator, all on loopback on free ports, with Countersign's provider URLs and credentials
// pointed at the simulators. Attached (`--attach`, on purpose only): a Countersign already
// answers at COUNTERSIGN_URL (or on PORT), so the demo only adds the simulators, or uses
// those `npm run simulators` already started.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../config';
import { startCountersign } from '../app/countersign';
import { installTemporalRuntime } from '../temporal/runtime';
import { createLogger } from '../platform/logger';
import { apiUrlVariable, type DemoProvider } from '../simulators/demo-providers';
import { simulatorCredentials, simulatorPorts, startSimulators } from '../simulators/start';
import type { DemoEndpoints } from './scenarios';

export interface DemoEnvironment {
  /** The demo started Countersign and Temporal itself. */
  standalone: boolean;
  endpoints: DemoEndpoints;
  /** The Temporal Web UI, when known. */
  uiUrl?: string;
  namespace: string;
  /** Lines describing what runs where, for the banner. */
  describe: Array<[string, string]>;
  stop(): Promise<void>;
}

/** `preferred` when it is free on loopback, else any free port. */
export async function portOrFree(preferred: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const actual = (server.address() as { port: number }).port;
        server.close(() => resolve(actual));
      });
    });
  return (await tryListen(preferred)) ?? (await tryListen(0))!;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** The Countersign the demo would attach to, if one answers. */
export async function runningCountersign(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const url = (env.COUNTERSIGN_URL ?? `http://127.0.0.1:${env.PORT ?? 3000}`).replace(/\/+$/, '');
  return (await answers(`${url}/healthz`)) ? url : undefined;
}

const envPort = (env: NodeJS.ProcessEnv, name: string) => (env[name] ? Number(env[name]) : undefined);

export async function startStandalone(
  env: NodeJS.ProcessEnv,
  providers: readonly DemoProvider[],
  say: (line: string) => void,
): Promise<DemoEnvironment> {
  const port = envPort(env, 'PORT') ?? (await portOrFree(3000));
  const countersignUrl = `http://127.0.0.1:${port}`;
  const credentials = simulatorCredentials(env, providers);
  const ports = simulatorPorts(env, providers, 0);
  const sims = await startSimulators({ countersignUrl, providers, credentials, ports, env });
  let releaseDataDir = () => undefined as void;
  try {
    // Never COUNTERSIGN_DATA_DIR: that is the user's own instance's database.
    const dataDir = resolve(env.DEMO_DATA_DIR ?? join('.data', 'demo'));
    releaseDataDir = claimDataDir(dataDir);
    const configEnv: NodeJS.ProcessEnv = {
      ...env,
      // Standalone means its own dev server, whatever cluster the shell points at.
      TEMPORAL_ADDRESS: undefined,
      HOST: '127.0.0.1',
      PORT: String(port),
      TEMPORAL_PORT: String(envPort(env, 'TEMPORAL_PORT') ?? (await portOrFree(7233))),
      TEMPORAL_UI_PORT: String(envPort(env, 'TEMPORAL_UI_PORT') ?? (await portOrFree(8233))),
      COUNTERSIGN_DATA_DIR: dataDir,
      COUNTERSIGN_DOCUMENTS_DIR: join(dataDir, 'documents'),
      // Finished transactions close soon, so the Web UI shows them completed while you look.
      LINGER_AFTER_FINAL: env.LINGER_AFTER_FINAL ?? '30s',
      ...sims.apiUrls,
      ...credentials,
    };
    const config = loadConfig(configEnv);
    // The table owns the terminal: Countersign's JSON logs, the SDK's included, go to a file.
    const logFile = join(dataDir, 'countersign.log');
    const destination = pino.destination({ dest: logFile, mkdir: true, sync: false });
    const logger = createLogger(config.logLevel, destination);
    installTemporalRuntime(config, { logger });
    const countersign = await startCountersign(config, { logger, say });
    return {
      standalone: true,
      endpoints: {
        countersign: countersign.url,
        apiToken: config.http.apiToken,
        simulators: providerUrls(providers, sims.apiUrls),
        credentials,
      },
      uiUrl: countersign.devServer?.uiUrl,
      namespace: config.temporal.namespace,
      describe: [
        ['Countersign', `${countersign.url} (receivers and /transactions)`],
        ['Temporal', `${countersign.address} (embedded dev server, data in ${dataDir})`],
        [
          'Simulators',
          Object.values(sims.apiUrls)
            .map((u) => u.replace('http://127.0.0.1:', ':'))
            .join(' '),
        ],
        ['Logs', `${logFile} (Countersign), ${countersign.devServer?.logFile ?? ''} (Temporal)`],
      ],
      async stop() {
        await sims.close();
        await countersign.stop('demo stopped');
        releaseDataDir();
        await new Promise((r) => {
          destination.once('close', r);
          destination.end();
        });
      },
    };
  } catch (err) {
    await sims.close();
    releaseDataDir();
    throw err;
  }
}

export class DemoBusyError extends Error {
  override name = 'DemoBusyError';
}

/**
 * One demo per data folder: two embedded dev servers on one SQLite file would corrupt each
 * other's view. The folder holds the pid of the demo using it; returns its release.
 */
export function claimDataDir(dataDir: string): () => void {
  const pidFile = join(dataDir, 'demo.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new DemoBusyError(
        `another demo (pid ${pid}) is running on ${dataDir}: stop it, or give this one a folder of its own with DEMO_DATA_DIR`,
      );
    }
  }
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(pidFile, String(process.pid));
  return () => rmSync(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A Countersign is already running: use the simulators `npm run simulators` started, or start
 * them on their usual ports, calling back that Countersign.
 */
export async function attach(
  countersignUrl: string,
  env: NodeJS.ProcessEnv,
  providers: readonly DemoProvider[],
): Promise<DemoEnvironment> {
  const credentials = simulatorCredentials(env, providers);
  const fixed = simulatorPorts(env, providers);
  const urls = Object.fromEntries(
    providers.map(({ module }) => [apiUrlVariable(module), `http://127.0.0.1:${fixed[module.name]}`]),
  );
  const up = await Promise.all(Object.values(urls).map((u) => answers(`${u}/_simulator/deliveries`)));
  const sims = up.every(Boolean)
    ? undefined
    : await startSimulators({ countersignUrl, providers, credentials, ports: fixed, env });
  const uiPort = env.TEMPORAL_UI_PORT ?? '8233';
  return {
    standalone: false,
    endpoints: {
      countersign: countersignUrl,
      apiToken: env.COUNTERSIGN_API_TOKEN,
      simulators: providerUrls(providers, sims?.apiUrls ?? urls),
      credentials,
    },
    uiUrl: env.TEMPORAL_ADDRESS ? undefined : `http://localhost:${uiPort}`,
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    describe: [
      ['Countersign', `${countersignUrl} (already running: the demo uses it)`],
      ['Simulators', `${Object.values(sims?.apiUrls ?? urls).join(' ')}${sims ? '' : ' (already running)'}`],
      [
        'Note',
        'its *_API_URL and credentials must be those `npm run simulators` prints, or the lost callbacks are never recovered; without --attach the demo runs a Countersign of its own',
      ],
    ],
    async stop() {
      await sims?.close();
    },
  };
}

/** Each provider's simulator URL by provider name, from the `<PREFIX>_API_URL`s pointing at them. */
function providerUrls(providers: readonly DemoProvider[], apiUrls: Record<string, string>): Record<string, string> {
  return Object.fromEntries(providers.map(({ module }) => [module.name, apiUrls[apiUrlVariable(module)]]));
}
