// `npm run simulators`: every registered provider's simulator (COUNTERSIGN_PROVIDER_MODULES
// included) on its fixed loopback port, calling back a Countersign at COUNTERSIGN_URL. Prints
// the environment that points Countersign at them. Drive them through each one's control API
// (`POST /_simulator/...`, see docs/providers.md).
import { providerRegistryFrom } from '../providers/registry';
import { demoProviders } from './demo-providers';
import { simulatorCredentials, simulatorPorts, startSimulators } from './start';

const env = process.env;
const countersign = (env.COUNTERSIGN_URL ?? 'http://localhost:3000').replace(/\/+$/, '');

async function main() {
  const providers = demoProviders(providerRegistryFrom(env));
  const credentials = simulatorCredentials(env, providers);
  const ports = simulatorPorts(env, providers);
  const sims = await startSimulators({ countersignUrl: countersign, providers, credentials, ports, env });
  const lines = [
    // Countersign must load the same providers of your own.
    ...(env.COUNTERSIGN_PROVIDER_MODULES ? [['COUNTERSIGN_PROVIDER_MODULES', env.COUNTERSIGN_PROVIDER_MODULES]] : []),
    ...Object.entries(sims.apiUrls),
    ...Object.entries(credentials).map(([k, v]) => [k, JSON.stringify(v)]),
  ].map(([k, v]) => `${k}=${v}`);
  process.stdout.write(
    `Provider simulators are up, calling back ${countersign}.\nStart Countersign with:\n\n${lines.map((l) => `  ${l}`).join('\n')}\n\n`,
  );
  for (const { demo } of providers) {
    const note = demo.simulator.callbacksNote?.(countersign);
    if (note) process.stdout.write(`${note}.\n`);
  }

  const stop = async () => {
    await sims.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err) => {
  console.error('simulators failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
