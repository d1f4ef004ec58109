// Every provider simulator together, calling back one Countersign, with the credentials both
// sides must share. Used by `npm run simulators`, `npm run demo` and the benchmarks; each
// provider's demo.ts says how its simulator starts.
import type { SimulatorBase } from '../providers/kit/simulator/simulator-base';
import { apiUrlVariable, demoProviders, portVariable, type DemoProvider } from './demo-providers';

/** Demo credentials of every provider (the environment's own win): the simulators and Countersign must share them. */
export function simulatorCredentials(
  env: NodeJS.ProcessEnv = process.env,
  providers: readonly DemoProvider[] = demoProviders(),
): Record<string, string> {
  return Object.assign({}, ...providers.map((p) => p.demo.simulator.credentials(env))) as Record<string, string>;
}

/** Each provider's simulator port by name: `<PREFIX>_SIMULATOR_PORT`, else its usual one (or `fallback`'s). */
export function simulatorPorts(
  env: NodeJS.ProcessEnv,
  providers: readonly DemoProvider[],
  fallback?: number,
): Record<string, number> {
  return Object.fromEntries(
    providers.map(({ module, demo }) => {
      const set = env[portVariable(module)];
      return [module.name, set ? Number(set) : (fallback ?? demo.simulator.port)];
    }),
  );
}

export interface StartSimulatorsOptions {
  /** Where the simulators call back (those that call back per transaction: its own URL). */
  countersignUrl: string;
  /** The providers to simulate; default: the built-in ones. */
  providers?: readonly DemoProvider[];
  /** Default: `simulatorCredentials(env, providers)`. */
  credentials?: Record<string, string>;
  /** Port per provider name; 0 or absent: any free port. */
  ports?: Record<string, number>;
  env?: NodeJS.ProcessEnv;
}

export interface RunningSimulators {
  /** Each provider's simulator, by provider name. */
  simulators: Record<string, SimulatorBase>;
  /** `<PREFIX>_API_URL` of each, to point Countersign at them. */
  apiUrls: Record<string, string>;
  /** One provider's simulator as its own class; throws when it is not one. */
  get<T extends SimulatorBase>(provider: string, type: abstract new (...args: never[]) => T): T;
  close(): Promise<void>;
}

export async function startSimulators(opts: StartSimulatorsOptions): Promise<RunningSimulators> {
  const env = opts.env ?? process.env;
  const providers = opts.providers ?? demoProviders();
  const credentials = opts.credentials ?? simulatorCredentials(env, providers);
  const countersignUrl = opts.countersignUrl.replace(/\/+$/, '');
  const simulators: Record<string, SimulatorBase> = {};
  const apiUrls: Record<string, string> = {};
  try {
    for (const { module, demo } of providers) {
      const sim = demo.simulator.create({ countersignUrl, credentials, env });
      simulators[module.name] = sim;
      apiUrls[apiUrlVariable(module)] = await sim.start(opts.ports?.[module.name] ?? 0);
    }
  } catch (err) {
    await Promise.all(Object.values(simulators).map((s) => s.close()));
    throw err;
  }
  return {
    simulators,
    apiUrls,
    get(provider, type) {
      const sim = simulators[provider];
      if (!(sim instanceof type)) throw new TypeError(`no ${type.name} simulates ${provider}`);
      return sim;
    },
    close: async () => {
      await Promise.all(Object.values(simulators).map((s) => s.close()));
    },
  };
}
