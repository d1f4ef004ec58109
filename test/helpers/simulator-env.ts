import { EvrotrustSimulator } from '../../src/providers/evrotrust/simulator';
import { PortalDeAssinaturasSimulator } from '../../src/providers/portal-de-assinaturas/simulator';
import { SignhostSimulator } from '../../src/providers/signhost/simulator';
import { SignicatSimulator } from '../../src/providers/signicat/simulator';

export interface SimulatorCreds {
  evrotrust: { apiKey: string; vendorNumber: string };
  signhost: { appKey: string; apiKey: string };
  signicat: { clientId: string; clientSecret: string };
  portal: { token: string };
}

export interface RunningSimulatorSet {
  evrotrust: EvrotrustSimulator;
  signhost: SignhostSimulator;
  signicat: SignicatSimulator;
  portal: PortalDeAssinaturasSimulator;
}

/** The environment that points the engine's provider APIs at running simulators. */
export function simulatorEnv(
  sims: RunningSimulatorSet,
  overrides: Record<string, string>,
  creds: SimulatorCreds,
): Record<string, string> {
  return {
    EVROTRUST_API_URL: sims.evrotrust.url,
    EVROTRUST_API_KEY: creds.evrotrust.apiKey,
    EVROTRUST_VENDOR_NUMBER: creds.evrotrust.vendorNumber,
    SIGNHOST_API_URL: sims.signhost.url,
    SIGNHOST_APP_KEY: creds.signhost.appKey,
    SIGNHOST_API_KEY: creds.signhost.apiKey,
    SIGNICAT_API_URL: sims.signicat.url,
    SIGNICAT_CLIENT_ID: creds.signicat.clientId,
    SIGNICAT_CLIENT_SECRET: creds.signicat.clientSecret,
    PORTAL_DE_ASSINATURAS_API_URL: sims.portal.url,
    PORTAL_DE_ASSINATURAS_TOKEN: creds.portal.token,
    ...overrides,
  };
}

/** Credentials every test's simulators and engine can share. */
export const SIMULATOR_CREDS = {
  evrotrust: { apiKey: 'ek', vendorNumber: 'vn' },
  signhost: { appKey: 'app', apiKey: 'user', sharedSecret: 'unused-here' },
  signicat: { clientId: 'client', clientSecret: 'client-secret' },
  portal: { token: 'portal-token' },
};

/** One simulator per provider, started on free loopback ports. */
export async function startSimulatorSet(
  creds = SIMULATOR_CREDS,
): Promise<RunningSimulatorSet & { close(): Promise<void> }> {
  const sims = {
    evrotrust: new EvrotrustSimulator(creds.evrotrust),
    signhost: new SignhostSimulator(creds.signhost),
    signicat: new SignicatSimulator(creds.signicat),
    portal: new PortalDeAssinaturasSimulator(creds.portal),
  };
  await Promise.all(Object.values(sims).map((s) => s.start()));
  return { ...sims, close: async () => void (await Promise.all(Object.values(sims).map((s) => s.close()))) };
}
