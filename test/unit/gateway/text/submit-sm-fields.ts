// Test helper: walks an SMPP 3.4 submit_sm body just far enough to find short_message.

export interface SubmitSmFields {
  commandId: number;
  esmClass: number;
  dataCoding: number;
  shortMessage: Buffer;
}

export function readSubmitSm(pdu: Buffer): SubmitSmFields {
  let at = 16; // command_length, command_id, command_status, sequence_number
  const cstring = (): void => {
    const nul = pdu.indexOf(0, at);
    if (nul < 0) throw new Error(`unterminated C-Octet String at ${at}`);
    at = nul + 1;
  };
  const byte = (): number => {
    const value = pdu[at++];
    if (value === undefined) throw new Error(`PDU ends at ${at - 1}`);
    return value;
  };

  cstring(); // service_type
  byte(); byte(); cstring(); // source_addr_ton, source_addr_npi, source_addr
  byte(); byte(); cstring(); // dest_addr_ton, dest_addr_npi, destination_addr
  const esmClass = byte();
  byte(); byte(); // protocol_id, priority_flag
  cstring(); cstring(); // schedule_delivery_time, validity_period
  byte(); byte(); // registered_delivery, replace_if_present_flag
  const dataCoding = byte();
  byte(); // sm_default_msg_id
  const smLength = byte();
  if (at + smLength > pdu.length) throw new Error(`sm_length ${smLength} overruns the PDU`);
  return { commandId: pdu.readUInt32BE(4), esmClass, dataCoding, shortMessage: pdu.subarray(at, at + smLength) };
}
