// The one list the provider conformance suite runs over: every built-in provider (read from
// the registry, so a fifth built-in one is in it the moment its registry line is) and the
// operator's own module test/fixtures/providers/acme-sign. Each subject is a module, the
// folder its capabilities are found in by convention (samples/, simulator.ts), the callback
// specs (test/helpers/provider-specs.ts) and the environment that configures it.
import { join } from 'node:path';
import type { FollowUpRequest, TransactionStatus } from '../../src/common/types';
import type { ProviderModule } from '../../src/providers/module';
import { BUILT_IN_PROVIDERS } from '../../src/providers/registry';
import { EvrotrustSimulator } from '../../src/providers/evrotrust/simulator';
import { PortalDeAssinaturasSimulator } from '../../src/providers/portal-de-assinaturas/simulator';
import { SignhostSimulator } from '../../src/providers/signhost/simulator';
import { SignicatSimulator } from '../../src/providers/signicat/simulator';
import { acmeSignature, provider as acmeSign } from '../fixtures/providers/acme-sign';
import { AcmeSignSimulator } from '../fixtures/providers/acme-sign/simulator';
import { SECRETS, SPECS, standard, type CallbackMessage, type ProviderSpec } from '../helpers/provider-specs';

const ROOT = join(__dirname, '..', '..');

/** A follow-up exercised against a live API: the provider's simulator. */
export interface FollowUpScenario {
  /** Variables pointing the provider at the API, with the credentials it takes. */
  env: Record<string, string>;
  request: FollowUpRequest;
  /** The status the answer must become (an event with `source: 'poll'`). */
  status: TransactionStatus;
  close(): Promise<void>;
}

/** What a module may have beyond callbacks; the suite checks each one it declares. */
export type Capability = 'follow-up' | 'documents' | 'samples' | 'simulator' | 'demo';

export interface ConformanceSubject {
  module: ProviderModule;
  /** Capabilities it must have: a missing one fails instead of being skipped. */
  requires?: readonly Capability[];
  /** The module's one folder: `samples/*.json` and `simulator.ts` in it are checked when present. */
  folder: string;
  /** Its callbacks, one spec per transaction kind (test/helpers/provider-specs.ts). */
  specs: ProviderSpec[];
  /** Configures it to check those callbacks' credentials (COUNTERSIGN_PROVIDER_MODULES for an outside one). */
  env: Record<string, string>;
  /** The credentials its samples were made with. */
  sampleEnv: Record<string, string>;
  /** Starts the API its follow-up asks, in a state the follow-up must report (integration only). */
  followUpScenario?(): Promise<FollowUpScenario>;
}

/** The credentials the built-in samples were made with. */
const SAMPLE_ENV = {
  SIGNHOST_SHARED_SECRET: 'sample-shared-secret',
  SIGNICAT_CALLBACK_AUTHORIZATION: 'Bearer sample-callback-authorization',
  PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: 'X-Countersign-Key: sample-callback-key',
};

const request = (provider: string, externalId: string, dossierId?: string): FollowUpRequest => ({
  ref: { provider, kind: 'signing', externalId },
  workflowId: `signing:${provider}:${externalId}`,
  attempt: 1,
  ...(dossierId && { dossierId }),
});

/** Each built-in provider's simulator, set to a final state the follow-up must read. */
const SIMULATED: Record<string, () => Promise<FollowUpScenario>> = {
  evrotrust: async () => {
    const sim = new EvrotrustSimulator({ apiKey: 'et-key', vendorNumber: 'V-77' });
    await sim.start();
    const tx = sim.createTransaction();
    await sim.setStatus(tx.transactionID, 3, { rejectReason: 'declined' });
    return {
      env: { EVROTRUST_API_URL: sim.url, EVROTRUST_API_KEY: 'et-key', EVROTRUST_VENDOR_NUMBER: 'V-77' },
      request: request('evrotrust', tx.transactionID),
      status: 'rejected',
      close: () => sim.close(),
    };
  },
  signhost: async () => {
    const sim = new SignhostSimulator({ appKey: 'app-1', apiKey: 'user-1', sharedSecret: 'shh' });
    await sim.start();
    const tx = sim.createTransaction();
    await sim.setStatus(tx.Id, 30);
    return {
      env: { SIGNHOST_API_URL: sim.url, SIGNHOST_APP_KEY: 'app-1', SIGNHOST_API_KEY: 'user-1' },
      request: request('signhost', tx.Id),
      status: 'signed',
      close: () => sim.close(),
    };
  },
  signicat: async () => {
    const sim = new SignicatSimulator({ clientId: 'client-1', clientSecret: 'secret-1' });
    await sim.start();
    const p = sim.createProcess();
    await sim.setStatus(p.processId, 'accepted', { callback: false });
    return {
      env: { SIGNICAT_API_URL: sim.url, SIGNICAT_CLIENT_ID: 'client-1', SIGNICAT_CLIENT_SECRET: 'secret-1' },
      // The first follow-up asks for a Notify; one that already did polls.
      request: { ...request('signicat', p.processId, p.dossierId), previousOutcome: 'notify requested', attempt: 2 },
      status: 'signed',
      close: () => sim.close(),
    };
  },
  'portal-de-assinaturas': async () => {
    const sim = new PortalDeAssinaturasSimulator({ token: 'portal-token' });
    await sim.start();
    const doc = sim.createDocument();
    await sim.act(doc.documentId, 'SIGNATURE-NOK');
    return {
      env: { PORTAL_DE_ASSINATURAS_API_URL: sim.url, PORTAL_DE_ASSINATURAS_TOKEN: 'portal-token' },
      request: request('portal-de-assinaturas', doc.documentId),
      status: 'rejected',
      close: () => sim.close(),
    };
  },
};

const builtIn: ConformanceSubject[] = BUILT_IN_PROVIDERS.map((module) => ({
  module,
  folder: join(ROOT, 'src', 'providers', module.name),
  specs: SPECS.filter((s) => s.provider === module.name),
  env: { ...SECRETS },
  sampleEnv: SAMPLE_ENV,
  // Every built-in provider has these; documents only where the provider's API offers them.
  requires: ['follow-up', 'samples', 'simulator', 'demo'],
  followUpScenario: SIMULATED[module.name],
}));

// ---- acme-sign: an operator's own module, loaded as COUNTERSIGN_PROVIDER_MODULES loads it ----

export const ACME_MODULE = 'test/fixtures/providers/acme-sign/index.ts';
export const ACME_SECRET = 'acme-secret-0123456789';

const acmeHeaders = (rawBody: string) => ({ 'x-acme-signature': acmeSignature(ACME_SECRET, rawBody) });
const acmeMessage = (body: Record<string, unknown>): CallbackMessage => ({
  path: '/callbacks/acme-sign',
  headers: acmeHeaders(JSON.stringify(body)),
  body,
});

export const ACME_SPEC: ProviderSpec = {
  label: 'acme-sign',
  provider: 'acme-sign',
  kind: 'signing',
  path: '/callbacks/acme-sign',
  idField: 'envelopeId',
  statusField: 'state',
  credentialHeaders: ['x-acme-signature'],
  credentialsFor: acmeHeaders,
  authenticated: true,
  knownFields: ['envelopeid', 'state'],
  valid: (id) => acmeMessage({ envelopeId: id, state: 'declined' }),
  progress: (id, n) => acmeMessage({ envelopeId: id, state: n % 2 ? 'sent' : 'viewed' }),
  finalStatus: 'rejected',
  answer: standard,
};

const acme: ConformanceSubject = {
  module: acmeSign,
  folder: join(ROOT, 'test', 'fixtures', 'providers', 'acme-sign'),
  specs: [ACME_SPEC],
  env: { COUNTERSIGN_PROVIDER_MODULES: ACME_MODULE, ACME_SIGN_SECRET: ACME_SECRET },
  sampleEnv: { COUNTERSIGN_PROVIDER_MODULES: ACME_MODULE, ACME_SIGN_SECRET: ACME_SECRET },
  // At parity: it must keep every capability the built-in providers have.
  requires: ['follow-up', 'documents', 'samples', 'simulator', 'demo'],
  followUpScenario: async () => {
    const sim = new AcmeSignSimulator({ secret: ACME_SECRET });
    await sim.start();
    const envelope = sim.createEnvelope();
    await sim.setState(envelope.envelopeId, 'signed');
    return {
      env: { ACME_SIGN_API_URL: sim.url },
      request: request('acme-sign', envelope.envelopeId),
      status: 'signed',
      close: () => sim.close(),
    };
  },
};

export const SUBJECTS: ConformanceSubject[] = [...builtIn, acme];
