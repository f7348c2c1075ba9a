import type { CallRecord } from '../voice/call-record';

/**
 * What the SMSC glue, the call engine and the handset hub tell the console
 * about (the `/ws/events` stream). Implementations must cost next to nothing
 * when nobody listens: callers hand over ids and records, never rendered JSON.
 */
export interface NetworkEventSink {
  /** A whole message was stored: an MT once all its parts arrived, or an MO. */
  messageCreated(messageId: string): void;
  /** A message changed: its status, or a handset received it. */
  messageUpdated(messageId: string): void;
  /** One part of a message changed: its outcome or its receipt. */
  partUpdated(partId: string): void;
  messagesCleared(): void;
  callCreated(call: CallRecord): void;
  /** Status, timeline or transcript changed. */
  callUpdated(call: CallRecord): void;
  callsCleared(): void;
  handsetConnected(number: string, connections: number): void;
  handsetDisconnected(number: string, connections: number): void;
}
