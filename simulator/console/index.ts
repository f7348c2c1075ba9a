export { SimulatorConsole, type SimulatorConsoleDeps } from './simulator-console';
export { EventHub, EVENT_TYPES, EVENTS_VERSION, type EventType, type EventSocket } from './event-hub';
export type { NetworkEventSink } from './event-sink';
