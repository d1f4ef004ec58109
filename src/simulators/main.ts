// `npm run simulators`: the four provider simulators on fixed loopback ports, calling back a
// Countersign at COUNTERSIGN_URL. Prints the environment that points Countersign at them.
// Drive them through each one's control API (`POST /_simulator/...`, see docs/providers.md).
import { SIMULATOR_PORTS, simulatorCredentials, startSimulators, type SimulatorName } from './start';

const env = process.env;
const countersign = (env.COUNTERSIGN_URL ?? 'http://localhost:3000').replace(/\/+$/, '');

async function main() {
  const credentials = simulatorCredentials(env);
  const ports = Object.fromEntries(
    Object.entries(SIMULATOR_PORTS).map(([name, port]) => [name, Number(env[`${name}_SIMULATOR_PORT`] ?? port)]),
  ) as Record<SimulatorName, number>;
  const sims = await startSimulators({ countersignUrl: countersign, credentials, ports, env });
  const lines = [
    ...Object.entries(sims.apiUrls),
    ...Object.entries(credentials).map(([k, v]) => [k, JSON.stringify(v)]),
  ].map(([k, v]) => `${k}=${v}`);
  process.stdout.write(
    `Provider simulators are up, calling back ${countersign}.\nStart Countersign with:\n\n${lines.map((l) => `  ${l}`).join('\n')}\n\n`,
  );
  process.stdout.write(
    `Evrotrust callbacks go to each transaction's urlCallback, e.g. ${countersign}/callbacks/evrotrust;\n`,
  );
  process.stdout.write(
    `Signicat callbacks to each process's notificationUrl, e.g. ${countersign}/callbacks/signicat.\n`,
  );

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
