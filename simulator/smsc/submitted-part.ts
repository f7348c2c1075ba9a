import { concatInfo, decodeText, splitUdh } from '../../gateway/text';
import { CommandStatus, ESM_CLASS, type MessagePdu } from '../../gateway/smpp';
import { normaliseAddress } from '../numbers';
import { VerigateError } from '../../gateway/errors';

/** One submit_sm or data_sm, decoded: its text, and where it belongs in a concatenated message. */
export interface SubmittedPart {
  source: string;
  destination: string;
  dataCoding: number;
  text: string;
  /** The user data the text was decoded from (UDH removed); absent for text that came as text. */
  userData?: Buffer;
  registeredDelivery: number;
  concat?: { ref: number; total: number; seq: number };
}

export class PartRejectedError extends VerigateError {
  override readonly name = 'PartRejectedError';
  readonly code = 'SMSC_PART_REJECTED';
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

/**
 * Reads text from short_message (by sm_length, so '@' = 0x00 survives) or,
 * when that is empty, from the message_payload TLV. Concatenation comes from a
 * UDH (IEI 00 or 08) or from the sar_* TLVs.
 */
export function decodeSubmittedPart(pdu: MessagePdu): SubmittedPart {
  const destination = normaliseAddress(pdu.destination_addr ?? '', pdu.dest_addr_ton ?? 0);
  if (!destination) throw new PartRejectedError('destination_addr is empty', CommandStatus.ESME_RINVDSTADR);
  const shortMessage = pdu.short_message ?? Buffer.alloc(0);
  const payload = pdu.message_payload;
  if (shortMessage.length > 0 && payload && payload.length > 0) {
    // SMPP 3.4 §5.3.2.32: both at once is an error.
    throw new PartRejectedError('short_message and message_payload both present', CommandStatus.ESME_RINVMSGLEN);
  }
  let userData = shortMessage.length > 0 ? shortMessage : (payload ?? Buffer.alloc(0));
  const dataCoding = pdu.data_coding ?? 0;
  let concat: SubmittedPart['concat'];
  if ((pdu.esm_class ?? 0) & ESM_CLASS.UDHI) {
    let split;
    try {
      split = splitUdh(userData);
    } catch (error) {
      throw new PartRejectedError((error as Error).message, CommandStatus.ESME_RINVESMCLASS);
    }
    userData = split.payload;
    const info = concatInfo(split.elements);
    if (info && info.total > 1) concat = { ref: info.ref, total: info.total, seq: info.seq };
  }
  const sarTotal = pdu.sar_total_segments;
  const sarSeq = pdu.sar_segment_seqnum;
  if (!concat && sarTotal !== undefined && sarSeq !== undefined && sarTotal > 1) {
    if (sarSeq < 1 || sarSeq > sarTotal) {
      throw new PartRejectedError(`sar_segment_seqnum ${sarSeq} outside 1..${sarTotal}`, CommandStatus.ESME_RINVMSGLEN);
    }
    concat = { ref: pdu.sar_msg_ref_num ?? 0, total: sarTotal, seq: sarSeq };
  }
  return {
    source: normaliseAddress(pdu.source_addr ?? '', pdu.source_addr_ton ?? 0),
    destination,
    dataCoding,
    text: decodeText(userData, dataCoding),
    userData,
    registeredDelivery: pdu.registered_delivery ?? 0,
    concat,
  };
}

/**
 * The text of a whole message from its parts, in order. Parts that all came
 * as bytes in one data_coding are joined as bytes and decoded once: a
 * character split between two parts (a UCS-2 surrogate pair) is whole again.
 */
export function joinParts(parts: readonly { body: string; dataCoding: number; payload: Buffer | null }[]): string {
  // One part's text was decoded from its own bytes already.
  if (parts.length === 1) return parts[0]!.body;
  const dataCoding = parts[0]?.dataCoding;
  const payloads = parts.flatMap((p) => (p.payload && p.dataCoding === dataCoding ? [p.payload] : []));
  if (dataCoding === undefined || payloads.length !== parts.length) return parts.map((p) => p.body).join('');
  return decodeText(Buffer.concat(payloads), dataCoding);
}
