export { buildSimulator, type Simulator, type SimulatorOptions } from './simulator';
export type { ReceiptRouting } from './smsc/smsc-server';
export { SMS_BEHAVIOURS, VOICE_BEHAVIOURS, type SmsBehaviour, type VoiceBehaviour, type NumberBehaviour, type NetworkSettings } from './behaviours';
