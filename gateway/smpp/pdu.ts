/** Typed views of the PDUs Verigate reads and writes; field names follow SMPP 3.4. */

export type BindCommand = 'bind_transmitter' | 'bind_receiver' | 'bind_transceiver';
export type MessageCommand = 'submit_sm' | 'deliver_sm' | 'data_sm';

export interface PduHeader {
  command: string;
  command_id: number;
  command_status: number;
  sequence_number: number;
}

export interface BindPdu extends PduHeader {
  command: BindCommand;
  system_id: string;
  password: string;
  system_type: string;
  interface_version: number;
  addr_ton: number;
  addr_npi: number;
  address_range: string;
}

export interface MessageFields {
  service_type: string;
  source_addr_ton: number;
  source_addr_npi: number;
  source_addr: string;
  dest_addr_ton: number;
  dest_addr_npi: number;
  destination_addr: string;
  esm_class: number;
  protocol_id: number;
  priority_flag: number;
  schedule_delivery_time: string;
  validity_period: string;
  registered_delivery: number;
  replace_if_present_flag: number;
  data_coding: number;
  sm_default_msg_id: number;
  /** Read by sm_length, so NUL bytes (GSM '@') survive. Absent on data_sm. */
  short_message: Buffer;
  message_payload: Buffer;
  sar_msg_ref_num: number;
  sar_total_segments: number;
  sar_segment_seqnum: number;
  more_messages_to_send: number;
  receipted_message_id: string;
  message_state: number;
  network_error_code: Buffer;
  user_message_reference: number;
}

export interface MessagePdu extends PduHeader, Partial<MessageFields> {
  command: MessageCommand;
}

export interface ResponsePdu extends PduHeader {
  message_id?: string;
  system_id?: string;
}

export type Pdu = PduHeader & Record<string, unknown>;

export const ESM_CLASS = {
  /** Bits 2–5: message type. */
  TYPE_MASK: 0x3c,
  DELIVERY_RECEIPT: 0x04,
  /** Bit 6: the short message begins with a user data header. */
  UDHI: 0x40,
} as const;

export const REGISTERED_DELIVERY = {
  MASK: 0x03,
  NONE: 0,
  SUCCESS_OR_FAILURE: 1,
  FAILURE_ONLY: 2,
} as const;

export function isBind(pdu: PduHeader): pdu is BindPdu {
  return pdu.command === 'bind_transmitter' || pdu.command === 'bind_receiver' || pdu.command === 'bind_transceiver';
}

export function isMessage(pdu: PduHeader): pdu is MessagePdu {
  return pdu.command === 'submit_sm' || pdu.command === 'deliver_sm' || pdu.command === 'data_sm';
}

export function isResponse(pdu: PduHeader): boolean {
  return (pdu.command_id & 0x80000000) !== 0;
}

/** One destination of a submit_multi (SMPP 3.4 §4.5.1.1): an SME address (dest_flag 1) or a distribution list (2). */
export type DestAddress = { dest_addr_ton: number; dest_addr_npi: number; destination_addr: string } | { dl_name: string };

export interface SubmitMultiPdu extends PduHeader, Partial<Omit<MessageFields, 'dest_addr_ton' | 'dest_addr_npi' | 'destination_addr'>> {
  command: 'submit_multi';
  dest_address: DestAddress[];
}

/** A destination submit_multi_resp reports as not taken, with why. */
export interface UnsuccessfulDestination {
  dest_addr_ton: number;
  dest_addr_npi: number;
  destination_addr: string;
  error_status_code: number;
}

/** cancel_sm (§4.9): a message by id, or every pending one from source_addr to destination_addr (of service_type, if given). */
export interface CancelPdu extends PduHeader {
  command: 'cancel_sm';
  service_type: string;
  message_id: string;
  source_addr_ton: number;
  source_addr: string;
  dest_addr_ton: number;
  destination_addr: string;
}

/** replace_sm (§4.10): a pending message's text, schedule, validity and registered_delivery. */
export interface ReplacePdu extends PduHeader {
  command: 'replace_sm';
  message_id: string;
  source_addr_ton: number;
  source_addr: string;
  schedule_delivery_time: string | Buffer;
  validity_period: string | Buffer;
  registered_delivery: number;
  short_message: Buffer;
}
