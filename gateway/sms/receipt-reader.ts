import { deliveryOutcome, MessageState, parseReceipt, statForState, type DeliveryOutcome } from '../receipt';
import { decodeText } from '../text';
import { ESM_CLASS, type MessagePdu } from '../smpp/pdu';

export interface ReadReceipt {
  /** The id exactly as the SMSC wrote it: matched under the link's msg_id_type, never guessed. */
  messageId: string;
  stat: string;
  outcome: DeliveryOutcome;
  errorCode?: string;
}

/** esm_class message types (bits 2–5, SMPP 3.4 5.2.12) of a deliver_sm that is not a mobile's message. */
const NOT_MO_TYPES: ReadonlySet<number> = new Set([
  0x04, // SMSC delivery receipt
  0x08, // SME delivery acknowledgement
  0x10, // SME manual/user acknowledgement
  0x18, // conversation abort
  0x20, // intermediate delivery notification
]);

/** Whether a deliver_sm/data_sm is a message from a mobile (esm_class type 0), not a receipt or notification. */
export function isMobileOriginated(pdu: MessagePdu): boolean {
  return !NOT_MO_TYPES.has((pdu.esm_class ?? 0) & ESM_CLASS.TYPE_MASK);
}

/**
 * Reads a delivery receipt: `receipted_message_id` and `message_state` when
 * present (the TLV is read within its length, see smpp-package.ts), the
 * Appendix B text otherwise. Undefined for anything else.
 */
export function readReceipt(pdu: MessagePdu): ReadReceipt | undefined {
  if (((pdu.esm_class ?? 0) & ESM_CLASS.TYPE_MASK) !== ESM_CLASS.DELIVERY_RECEIPT) return undefined;
  const body = pdu.short_message && pdu.short_message.length > 0 ? pdu.short_message : pdu.message_payload;
  const text = body ? decodeText(body, pdu.data_coding ?? 0) : '';
  const parsed = parseReceipt(text);
  const id = pdu.receipted_message_id?.trim() || parsed?.id;
  if (!id) return undefined;
  const stat = pdu.message_state !== undefined ? statForState(pdu.message_state as MessageState) : (parsed?.stat ?? 'UNKNOWN');
  return { messageId: id, stat, outcome: deliveryOutcome(stat), errorCode: parsed?.err };
}
