// The four provider simulators together, calling back one Countersign, with the credentials
// both sides must share. Used by `npm run simulators` and `npm run demo`.
import { EvrotrustSimulator } from '../providers/evrotrust/simulator';
import { PortalDeAssinaturasSimulator } from '../providers/portal-de-assinaturas/simulator';
import { SignhostSimulator } from '../providers/signhost/simulator';
import { SignicatSimulator } from '../providers/signicat/simulator';

/** Fixed loopback ports of `npm run simulators`, overridable by `<NAME>_SIMULATOR_PORT`. */
export const SIMULATOR_PORTS = { EVROTRUST: 4101, SIGNHOST: 4102, SIGNICAT: 4103, PORTAL_DE_ASSINATURAS: 4104 };
export type SimulatorName = keyof typeof SIMULATOR_PORTS;

/** Demo credentials (the environment's own win): the simulators and Countersign must share them. */
export function simulatorCredentials(env: NodeJS.ProcessEnv = process.env) {
  return {
    EVROTRUST_API_KEY: env.EVROTRUST_API_KEY ?? 'demo-evrotrust-key',
    EVROTRUST_VENDOR_NUMBER: env.EVROTRUST_VENDOR_NUMBER ?? 'demo-vendor',
    SIGNHOST_APP_KEY: env.SIGNHOST_APP_KEY ?? 'demo-app-key',
    SIGNHOST_API_KEY: env.SIGNHOST_API_KEY ?? 'demo-api-key',
    SIGNHOST_SHARED_SECRET: env.SIGNHOST_SHARED_SECRET ?? 'demo-shared-secret',
    SIGNICAT_CLIENT_ID: env.SIGNICAT_CLIENT_ID ?? 'demo-client',
    SIGNICAT_CLIENT_SECRET: env.SIGNICAT_CLIENT_SECRET ?? 'demo-client-secret',
    // Given to each process as its `authorizationHeader`; Signicat sends it back on the callback.
    SIGNICAT_CALLBACK_AUTHORIZATION: env.SIGNICAT_CALLBACK_AUTHORIZATION ?? 'demo-signicat-callback',
    PORTAL_DE_ASSINATURAS_TOKEN: env.PORTAL_DE_ASSINATURAS_TOKEN ?? 'demo-portal-token',
    PORTAL_DE_ASSINATURAS_CALLBACK_HEADER:
      env.PORTAL_DE_ASSINATURAS_CALLBACK_HEADER ?? 'X-Countersign-Key: demo-callback-key',
  };
}
export type SimulatorCredentials = ReturnType<typeof simulatorCredentials>;

export interface StartSimulatorsOptions {
  /** Where Signhost postbacks and Portal callbacks go (Evrotrust and Signicat: per transaction). */
  countersignUrl: string;
  credentials: SimulatorCredentials;
  /** Port per simulator; 0 or absent: any free port. */
  ports?: Partial<Record<SimulatorName, number>>;
  env?: NodeJS.ProcessEnv;
}

export interface RunningSimulators {
  evrotrust: EvrotrustSimulator;
  signhost: SignhostSimulator;
  signicat: SignicatSimulator;
  portal: PortalDeAssinaturasSimulator;
  /** `<NAME>_API_URL` of each, to point Countersign at them. */
  apiUrls: Record<`${SimulatorName}_API_URL`, string>;
  close(): Promise<void>;
}

export async function startSimulators(opts: StartSimulatorsOptions): Promise<RunningSimulators> {
  const env = opts.env ?? process.env;
  const creds = opts.credentials;
  const countersign = opts.countersignUrl.replace(/\/+$/, '');
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
    SIGNICAT: new SignicatSimulator({
      clientId: creds.SIGNICAT_CLIENT_ID,
      clientSecret: creds.SIGNICAT_CLIENT_SECRET,
      notifyPath: env.SIGNICAT_NOTIFY_PATH,
    }),
    PORTAL_DE_ASSINATURAS: new PortalDeAssinaturasSimulator({
      token: creds.PORTAL_DE_ASSINATURAS_TOKEN,
      statusPath: env.PORTAL_DE_ASSINATURAS_STATUS_PATH,
      callback: {
        url: `${countersign}/callbacks/portal-de-assinaturas`,
        trigger: 'ACTION',
        headers: [{ name: headerName.trim(), value: rest.join(':').trim() }],
      },
    }),
  };
  const started: Array<{ close(): Promise<void> }> = [];
  const apiUrls = {} as RunningSimulators['apiUrls'];
  try {
    for (const [name, sim] of Object.entries(sims) as Array<[SimulatorName, (typeof sims)[SimulatorName]]>) {
      apiUrls[`${name}_API_URL`] = await sim.start(opts.ports?.[name] ?? 0);
      started.push(sim);
    }
  } catch (err) {
    await Promise.all(started.map((s) => s.close()));
    throw err;
  }
  return {
    evrotrust: sims.EVROTRUST,
    signhost: sims.SIGNHOST,
    signicat: sims.SIGNICAT,
    portal: sims.PORTAL_DE_ASSINATURAS,
    apiUrls,
    close: async () => {
      await Promise.all(Object.values(sims).map((s) => s.close()));
    },
  };
}
