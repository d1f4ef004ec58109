// Provider simulators for tests, the demo and benchmarks: real HTTP servers that answer the
// status, notify and token APIs and call the engine back the way each provider does.
export { FakeScheduler, realScheduler, type Scheduler } from './scheduler';
export { SimServer, type Fault } from './sim-server';
export type { Delivery } from './callback-sender';
export { EvrotrustSimulator, type EvrotrustSimulatorOptions } from './evrotrust-simulator';
export { SignhostSimulator, signhostChecksum, type SignhostSimulatorOptions } from './signhost-simulator';
export { SignicatSimulator, type SignicatSimulatorOptions } from './signicat-simulator';
export { PortalDeAssinaturasSimulator, triggerReports, type PortalSimulatorOptions } from './portal-de-assinaturas-simulator';
export { SIMULATOR_PORTS, simulatorCredentials, startSimulators, type RunningSimulators, type SimulatorCredentials } from './start';
