import { deliveryOutcome, MessageState, parseReceipt, statForState, type DeliveryOutcome } from '../receipt';
import { decodeText } from '../text';
import { ESM_CLASS, type MessagePdu } from '../smpp/pdu';

export interface ReadReceipt {
  /** The id as the SMSC wrote it, and the other spellings it may have been answered with. */
  messageIds: string[];
  stat: string;
  outcome: DeliveryOutcome;
  errorCode?: string;
}

/**
 * Many SMSCs answer submit_sm with a hex id and write it in decimal in the
 * receipt text (or the reverse), so a receipt is looked up under every spelling.
 */
export function idSpellings(id: string): string[] {
  const spellings = new Set([id, id.toLowerCase()]);
  if (/^\d{1,30}$/.test(id)) spellings.add(BigInt(id).toString(16));
  if (/^[0-9a-f]{1,24}$/i.test(id)) spellings.add(BigInt(`0x${id}`).toString(10));
  return [...spellings];
}

/** Reads a delivery receipt deliver_sm: TLVs first, the Appendix B text as a fallback. Undefined for MO. */
export function readReceipt(pdu: MessagePdu): ReadReceipt | undefined {
  if (((pdu.esm_class ?? 0) & ESM_CLASS.TYPE_MASK) !== ESM_CLASS.DELIVERY_RECEIPT) return undefined;
  const body = pdu.short_message && pdu.short_message.length > 0 ? pdu.short_message : pdu.message_payload;
  const text = body ? decodeText(body, pdu.data_coding ?? 0) : '';
  const parsed = parseReceipt(text);
  const id = pdu.receipted_message_id || parsed?.id;
  if (!id) return undefined;
  const stat = pdu.message_state !== undefined ? statForState(pdu.message_state as MessageState) : (parsed?.stat ?? 'UNKNOWN');
  return { messageIds: idSpellings(id), stat, outcome: deliveryOutcome(stat), errorCode: parsed?.err };
}
