export { buildSimulator, type Simulator, type SimulatorOptions } from './simulator';
export { SMS_BEHAVIOURS, type SmsBehaviour, type NumberBehaviour, type NetworkSettings } from './behaviours';
