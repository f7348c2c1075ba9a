import { ESM_CLASS } from '../../gateway/smpp';
import { formatReceipt, statForState } from '../../gateway/receipt';
import { encodeGsm7, gsm7CharSeptets } from '../../gateway/text';
import type { Segment } from '../store/message-store';
import { withoutPlus } from '../numbers';

const NETWORK_TYPE_GSM = 3;

/** The deliver_sm fields of a part's delivery receipt (SMPP 3.4 Appendix B text, and the receipt TLVs). */
export function receiptPdu(segment: Segment): Record<string, unknown> {
  // A submit_multi's destinations are receipted under the one id it was answered with.
  const id = segment.multiId ?? segment.messageId;
  const text = formatReceipt({
    id,
    sub: 1,
    dlvrd: segment.outcome === 'delivered' ? 1 : 0,
    submitDate: new Date(segment.submittedAt),
    doneDate: new Date(segment.doneAt ?? segment.submittedAt),
    stat: statForState(segment.state),
    err: segment.errorCode,
    text: quotedText(segment.body),
  });
  const fields: Record<string, unknown> = {
    source_addr_ton: 1,
    source_addr_npi: 1,
    source_addr: withoutPlus(segment.destination),
    dest_addr_ton: /^\+?\d+$/.test(segment.source) ? 1 : 5,
    dest_addr_npi: 1,
    destination_addr: withoutPlus(segment.source),
    esm_class: ESM_CLASS.DELIVERY_RECEIPT,
    // The whole receipt is GSM 03.38, as its data_coding 0 says ('@' and '€' included).
    data_coding: 0,
    short_message: encodeGsm7(text),
    receipted_message_id: id,
    message_state: segment.state,
  };
  if (segment.errorCode) {
    const code = Buffer.alloc(3);
    code.writeUInt8(NETWORK_TYPE_GSM, 0);
    code.writeUInt16BE(segment.errorCode, 1);
    fields['network_error_code'] = code;
  }
  return fields;
}

/** The 20 characters of the message's text a receipt quotes (formatReceipt's text:), those GSM 03.38 cannot carry as '?'. */
function quotedText(body: string): string {
  let quoted = '';
  let count = 0;
  for (const char of body) {
    if (count++ === QUOTED_CHARACTERS) break;
    quoted += gsm7CharSeptets(char) === undefined ? '?' : char;
  }
  return quoted;
}

const QUOTED_CHARACTERS = 20;
