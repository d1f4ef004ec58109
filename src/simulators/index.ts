// Provider simulators for tests, the demo, benchmarks and the simulators of providers of your
// own: the kit they are built on (a development entry point, never in the package build) and
// every registered provider's simulator started together. Each provider's own simulator is in
// its folder (src/providers/<name>/simulator.ts).
export { FakeScheduler, realScheduler, type Scheduler } from '../providers/kit/simulator/scheduler';
export {
  field,
  header,
  jsonBody,
  SimServer,
  type Fault,
  type SimRequest,
  type SimResponse,
} from '../providers/kit/simulator/sim-server';
export type { Delivery } from '../providers/kit/simulator/callback-sender';
export {
  randomId,
  SimulatorBase,
  type CallbackPlan,
  type SimulatorOptions,
} from '../providers/kit/simulator/simulator-base';
export {
  DEMO_FOLLOW_UP_AFTER,
  LOST_CALLBACK,
  type DemoEndpoints,
  type Expectation,
  type ProviderDemo,
  type Scenario,
  type ScenarioContext,
  type SimulatorSetup,
} from '../providers/kit/simulator/provider-demo';
export { apiUrlVariable, demoProviders, portVariable, ProviderDemoError, type DemoProvider } from './demo-providers';
export {
  simulatorCredentials,
  simulatorPorts,
  startSimulators,
  type RunningSimulators,
  type StartSimulatorsOptions,
} from './start';
