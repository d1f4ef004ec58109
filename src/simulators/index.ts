// Provider simulators for tests, the demo and benchmarks: real HTTP servers that answer the
// status, notify and token APIs and call the engine back the way each provider does.
export { FakeScheduler, realScheduler, type Scheduler } from '../providers/kit/simulator/scheduler';
export { SimServer, type Fault } from '../providers/kit/simulator/sim-server';
export type { Delivery } from '../providers/kit/simulator/callback-sender';
export { EvrotrustSimulator, type EvrotrustSimulatorOptions } from '../providers/evrotrust/simulator';
export { SignhostSimulator, signhostChecksum, type SignhostSimulatorOptions } from '../providers/signhost/simulator';
export { SignicatSimulator, type SignicatSimulatorOptions } from '../providers/signicat/simulator';
export {
  PortalDeAssinaturasSimulator,
  triggerReports,
  type PortalSimulatorOptions,
} from '../providers/portal-de-assinaturas/simulator';
export {
  SIMULATOR_PORTS,
  simulatorCredentials,
  startSimulators,
  type RunningSimulators,
  type SimulatorCredentials,
} from './start';
