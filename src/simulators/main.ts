// `npm run simulators`: the four provider simulators on fixed loopback ports, calling back a
// Countersign at COUNTERSIGN_URL. Prints the environment that points Countersign at them.
// Drive them through each one's control API (`POST /_simulator/...`, see README).
import { EvrotrustSimulator } from './evrotrust-simulator';
import { PortalDeAssinaturasSimulator } from './portal-de-assinaturas-simulator';
import { SignhostSimulator } from './signhost-simulator';
import { SignicatSimulator } from './signicat-simulator';

const env = process.env;
const countersign = (env.COUNTERSIGN_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
const port = (name: string, fallback: number) => Number(env[name] ?? fallback);
// Demo credentials: the same values must reach Countersign (printed below).
const creds = {
  EVROTRUST_API_KEY: env.EVROTRUST_API_KEY ?? 'demo-evrotrust-key',
  EVROTRUST_VENDOR_NUMBER: env.EVROTRUST_VENDOR_NUMBER ?? 'demo-vendor',
  SIGNHOST_APP_KEY: env.SIGNHOST_APP_KEY ?? 'demo-app-key',
  SIGNHOST_API_KEY: env.SIGNHOST_API_KEY ?? 'demo-api-key',
  SIGNHOST_SHARED_SECRET: env.SIGNHOST_SHARED_SECRET ?? 'demo-shared-secret',
  SIGNICAT_CLIENT_ID: env.SIGNICAT_CLIENT_ID ?? 'demo-client',
  SIGNICAT_CLIENT_SECRET: env.SIGNICAT_CLIENT_SECRET ?? 'demo-client-secret',
  PORTAL_DE_ASSINATURAS_TOKEN: env.PORTAL_DE_ASSINATURAS_TOKEN ?? 'demo-portal-token',
  PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: env.PORTAL_DE_ASSINATURAS_CALLBACK_HEADER ?? 'X-Countersign-Key: demo-callback-key',
};

async function main() {
  const [headerName, ...rest] = creds.PORTAL_DE_ASSINATURAS_CALLBACK_HEADER.split(':');
  const sims = {
    EVROTRUST: new EvrotrustSimulator({ apiKey: creds.EVROTRUST_API_KEY, vendorNumber: creds.EVROTRUST_VENDOR_NUMBER }),
    SIGNHOST: new SignhostSimulator({
      appKey: creds.SIGNHOST_APP_KEY,
      apiKey: creds.SIGNHOST_API_KEY,
      sharedSecret: creds.SIGNHOST_SHARED_SECRET,
      postbackAuthorization: env.SIGNHOST_POSTBACK_AUTHORIZATION,
      postbackUrl: `${countersign}/callbacks/signhost`,
    }),
    SIGNICAT: new SignicatSimulator({ clientId: creds.SIGNICAT_CLIENT_ID, clientSecret: creds.SIGNICAT_CLIENT_SECRET, notifyPath: env.SIGNICAT_NOTIFY_PATH }),
    PORTAL_DE_ASSINATURAS: new PortalDeAssinaturasSimulator({
      token: creds.PORTAL_DE_ASSINATURAS_TOKEN,
      statusPath: env.PORTAL_DE_ASSINATURAS_STATUS_PATH,
      callback: { url: `${countersign}/callbacks/portal-de-assinaturas`, trigger: 'ACTION', headers: [{ name: headerName.trim(), value: rest.join(':').trim() }] },
    }),
  };
  const ports = { EVROTRUST: 4101, SIGNHOST: 4102, SIGNICAT: 4103, PORTAL_DE_ASSINATURAS: 4104 };
  const lines: string[] = [];
  for (const [name, sim] of Object.entries(sims)) {
    const url = await sim.start(port(`${name}_SIMULATOR_PORT`, ports[name as keyof typeof ports]));
    lines.push(`${name}_API_URL=${url}`);
  }
  for (const [k, v] of Object.entries(creds)) lines.push(`${k}=${JSON.stringify(v)}`);
  process.stdout.write(`Provider simulators are up, calling back ${countersign}.\nStart Countersign with:\n\n${lines.map((l) => `  ${l}`).join('\n')}\n\n`);
  process.stdout.write(`Evrotrust callbacks go to each transaction's urlCallback, e.g. ${countersign}/callbacks/evrotrust;\n`);
  process.stdout.write(`Signicat callbacks to each process's notificationUrl, e.g. ${countersign}/callbacks/signicat.\n`);

  const stop = async () => {
    await Promise.all(Object.values(sims).map((s) => s.close()));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err) => {
  console.error('simulators failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
