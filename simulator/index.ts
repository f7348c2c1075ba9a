export { buildSimulator, type Simulator, type SimulatorOptions } from './simulator';
export { SMS_BEHAVIOURS, VOICE_BEHAVIOURS, type SmsBehaviour, type VoiceBehaviour, type NumberBehaviour, type NetworkSettings } from './behaviours';
