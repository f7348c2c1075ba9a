import type { MessageStatus, ReceiptState, Segment, StoredMessage } from '../store/message-store';
import type { CallRecord } from '../voice/call-record';

/**
 * What the SMSC glue, the call engine and the handset hub tell the console
 * about (the `/ws/events` stream). Callers hand over what they already hold
 * (records, ids, new values: nothing built for the call), so that with nobody
 * listening a call costs nothing, and with listeners the console renders from
 * them without reading the store again. It keeps the records it is handed
 * until their receipts are out, so a record once handed over is never
 * changed: a change is a new record (or one of the calls below).
 */
export interface NetworkEventSink {
  /** A whole message was stored with its parts (as stored): an MT once all its parts arrived, or an MO (no parts). */
  messageCreated(message: StoredMessage, parts: readonly Segment[]): void;
  /** A handset received the message at `at`. */
  messagePushed(messageId: string, at: number): void;
  /** An MO went out to an ESME (`sent`) or was refused for good (`failed`). */
  messageStatusChanged(messageId: string, status: MessageStatus, systemId: string): void;
  /** A message changed more than one field at once (cancel_sm, replace_sm, a held message released): as stored now. */
  messageRewritten(message: StoredMessage, parts: readonly Segment[]): void;
  /** A part reached its outcome: `part` holds its final state, error and receipt. */
  partFinished(part: Segment): void;
  /** The receipts of these parts went out (`sent`) or were refused for good. */
  partsReceipted(partIds: readonly string[], receipt: ReceiptState): void;
  messagesCleared(): void;
  callCreated(call: CallRecord): void;
  /** Status, timeline or transcript changed. */
  callUpdated(call: CallRecord): void;
  callsCleared(): void;
  handsetConnected(number: string, connections: number): void;
  handsetDisconnected(number: string, connections: number): void;
}
