// What a provider folder's demo.ts gives the development tools: how `npm run simulators`
// starts its simulator, and the transactions `npm run demo` plays against it. The tools read
// it through the registry (a module's `demo` path), so they never name a provider.
import type { EventSource, ProviderName, TransactionKind, TransactionStatus } from '../../../common/types';
import type { SimulatorBase } from './simulator-base';

/** Silence before the engine asks the provider, for the lost-callback scenarios. */
export const DEMO_FOLLOW_UP_AFTER = '5s';

/** Registration fields of a scenario whose callback gets lost: the engine asks soon. */
export const LOST_CALLBACK = { followUp: { firstAfter: DEMO_FOLLOW_UP_AFTER } };

export interface DemoEndpoints {
  countersign: string;
  /** Bearer token of Countersign's application API, when it has one. */
  apiToken?: string;
  /** Each provider's simulator URL, by provider name. */
  simulators: Record<ProviderName, string>;
  /** The demo credentials Countersign and the simulators share (what `npm run simulators` prints). */
  credentials: Record<string, string>;
}

export interface ScenarioContext {
  endpoints: DemoEndpoints;
  /** A fresh id for this run, unique across runs (the dev server keeps its data). */
  id(suffix: string): string;
  /** Waits one demo beat, so a person can follow. */
  beat(): Promise<unknown>;
  /** What just happened, shown on the scenario's row. */
  say(text: string): void;
  /** Registers the transaction through `POST /transactions`; returns its workflow id. */
  register(body: Record<string, unknown>): Promise<string>;
  /** A simulator's control API: `POST {simulator}/_simulator{path}`. */
  simulator(provider: ProviderName, path: string, body?: Record<string, unknown>): Promise<unknown>;
}

export interface Expectation {
  status: TransactionStatus;
  /** Where the event that brought that status came from. */
  source: EventSource;
  /** The engine asked for the callback again (Notify) before it came. */
  afterNotify?: boolean;
}

export interface Scenario {
  provider: ProviderName;
  kind: TransactionKind;
  title: string;
  expect: Expectation;
  run(ctx: ScenarioContext): Promise<void>;
}

/** How the development tools start one provider's simulator. */
export interface SimulatorSetup {
  /** Its loopback port under `npm run simulators`, unless `<PREFIX>_SIMULATOR_PORT` says otherwise. */
  port: number;
  /**
   * Its demo credentials by variable name, the environment's own value winning: Countersign
   * and the simulator must share them.
   */
  credentials(env: NodeJS.ProcessEnv): Record<string, string>;
  /** Its simulator, calling back the Countersign at `countersignUrl` (no trailing slash). */
  create(opts: { countersignUrl: string; credentials: Record<string, string>; env: NodeJS.ProcessEnv }): SimulatorBase;
  /** Where its callbacks go when that is per transaction, for `npm run simulators` to say. */
  callbacksNote?(countersignUrl: string): string;
}

export interface ProviderDemo {
  simulator: SimulatorSetup;
  /** What `npm run demo` plays at this provider. */
  scenarios: Scenario[];
}
