export { VoiceNetwork, type VoiceNetworkDeps } from './voice-network';
export { CallEngine, type CallFrame, type NewCall } from './call-engine';
export { CALL_STATUSES, CALLBACK_EVENTS, type CallRecord, type CallStatus } from './call-record';
export { parseRcml, type Verb } from './rcml-parser';
export { VOICE_ERRORS, VoiceApiError, RcmlError } from './errors';
