/**
 * Hand codecs for the PDUs every message costs on a link: submit_sm and
 * deliver_sm (one layout), their responses, and reading those responses. The
 * `smpp` package's generic codec walks its field tables, runs every field
 * through a filter and allocates as it goes; for these few PDUs, sent once or
 * twice per message on both sides of every link, that was the largest share of
 * a PDU's cost. Each encoder writes exactly the bytes the package writes for
 * the same fields (a test holds them to it) and returns undefined for what it
 * does not know (a TLV not listed here, a value of another type): the caller
 * then uses the package.
 */
import type { PduHeader } from './pdu';

const HEADER_LENGTH = 16;

export const COMMAND_ID = {
  submit_sm: 0x00000004,
  submit_sm_resp: 0x80000004,
  deliver_sm: 0x00000005,
  deliver_sm_resp: 0x80000005,
  data_sm_resp: 0x80000103,
} as const;

type Kind = 'u8' | 'u16' | 'cstring' | 'bytes';

/** The mandatory fields of submit_sm and deliver_sm, in wire order (SMPP 3.4 §4.4.1, §4.6.1); short_message follows. */
const mandatory: readonly (readonly [string, 'u8' | 'cstring'])[] = [
  ['service_type', 'cstring'],
  ['source_addr_ton', 'u8'],
  ['source_addr_npi', 'u8'],
  ['source_addr', 'cstring'],
  ['dest_addr_ton', 'u8'],
  ['dest_addr_npi', 'u8'],
  ['destination_addr', 'cstring'],
  ['esm_class', 'u8'],
  ['protocol_id', 'u8'],
  ['priority_flag', 'u8'],
  ['schedule_delivery_time', 'cstring'],
  ['validity_period', 'cstring'],
  ['registered_delivery', 'u8'],
  ['replace_if_present_flag', 'u8'],
  ['data_coding', 'u8'],
  ['sm_default_msg_id', 'u8'],
];
const mandatoryNames = new Set([...mandatory.map(([name]) => name), 'short_message']);

/** The TLVs our senders put on messages (receipts, MO, concatenation); any other makes the caller fall back. */
const tlvs: Record<string, { tag: number; kind: Kind }> = {
  receipted_message_id: { tag: 0x001e, kind: 'cstring' },
  user_message_reference: { tag: 0x0204, kind: 'u16' },
  source_port: { tag: 0x020a, kind: 'u16' },
  dest_port: { tag: 0x020b, kind: 'u16' },
  sar_msg_ref_num: { tag: 0x020c, kind: 'u16' },
  sar_total_segments: { tag: 0x020e, kind: 'u8' },
  sar_segment_seqnum: { tag: 0x020f, kind: 'u8' },
  network_error_code: { tag: 0x0423, kind: 'bytes' },
  message_payload: { tag: 0x0424, kind: 'bytes' },
  more_messages_to_send: { tag: 0x0426, kind: 'u8' },
  message_state: { tag: 0x0427, kind: 'u8' },
};

function sizeOf(kind: Kind, value: unknown): number | undefined {
  switch (kind) {
    case 'u8':
      return value === undefined || value === null || typeof value === 'number' ? 1 : undefined;
    case 'u16':
      return value === undefined || value === null || typeof value === 'number' ? 2 : undefined;
    case 'cstring':
      // The package writes strings as 'ascii' (one byte per UTF-16 unit, i.e. latin1) and a NUL.
      if (value === undefined || value === null) return 1;
      return typeof value === 'string' ? value.length + 1 : Buffer.isBuffer(value) ? value.length + 1 : undefined;
    case 'bytes':
      return Buffer.isBuffer(value) ? value.length : undefined;
  }
}

function write(kind: Kind, value: unknown, buffer: Buffer, offset: number): number {
  switch (kind) {
    case 'u8':
      // As the package does: out of range throws (RangeError), it is never cut silently.
      return buffer.writeUInt8((value as number | undefined) || 0, offset);
    case 'u16':
      return buffer.writeUInt16BE((value as number | undefined) || 0, offset);
    case 'cstring':
      if (typeof value === 'string') offset += buffer.write(value, offset, 'latin1');
      else if (Buffer.isBuffer(value)) offset += value.copy(buffer, offset);
      buffer[offset] = 0;
      return offset + 1;
    case 'bytes':
      return offset + (value as Buffer).copy(buffer, offset);
  }
}

function writeHeader(buffer: Buffer, commandId: number, status: number, sequence: number): void {
  buffer.writeUInt32BE(buffer.length, 0);
  buffer.writeUInt32BE(commandId, 4);
  buffer.writeUInt32BE(status >>> 0, 8);
  buffer.writeUInt32BE(sequence >>> 0, 12);
}

/**
 * A submit_sm or deliver_sm with `sequence`, or undefined when a field is one
 * this codec does not write (the caller then uses the package). Mandatory
 * fields left out are written as the package writes them (0, empty).
 */
export function encodeMessageRequest(command: string, sequence: number, fields: Record<string, unknown>): Buffer | undefined {
  const commandId = command === 'submit_sm' ? COMMAND_ID.submit_sm : command === 'deliver_sm' ? COMMAND_ID.deliver_sm : undefined;
  if (commandId === undefined || fields['command_status']) return undefined;
  const shortMessage = fields['short_message'] ?? EMPTY;
  if (!Buffer.isBuffer(shortMessage) || shortMessage.length > 255) return undefined;
  let length = HEADER_LENGTH + 1 + shortMessage.length;
  for (const [name, kind] of mandatory) {
    const size = sizeOf(kind, fields[name]);
    if (size === undefined) return undefined;
    length += size;
  }
  for (const name in fields) {
    if (mandatoryNames.has(name) || name === 'sequence_number' || name === 'command_status') continue;
    const tlv = tlvs[name];
    const value = fields[name];
    // The package writes a TLV whatever its value; one left undefined or null is one we cannot write alike.
    if (!tlv || value === undefined || value === null) return undefined;
    const size = sizeOf(tlv.kind, value);
    if (size === undefined) return undefined;
    length += 4 + size;
  }
  const buffer = Buffer.allocUnsafe(length);
  writeHeader(buffer, commandId, 0, sequence);
  let offset = HEADER_LENGTH;
  for (const [name, kind] of mandatory) offset = write(kind, fields[name], buffer, offset);
  buffer[offset++] = shortMessage.length;
  offset += shortMessage.copy(buffer, offset);
  for (const name in fields) {
    const tlv = tlvs[name];
    if (!tlv || mandatoryNames.has(name)) continue;
    buffer.writeUInt16BE(tlv.tag, offset);
    const start = offset + 4;
    offset = write(tlv.kind, fields[name], buffer, start);
    buffer.writeUInt16BE(offset - start, start - 2);
  }
  return buffer;
}

/**
 * submit_sm_resp, deliver_sm_resp or data_sm_resp: the header, and the
 * message_id only when the status is 0 (SMPP 3.4: an error response is the header alone).
 */
export function encodeMessageResponse(command: string, sequence: number, status: number, messageId: unknown): Buffer | undefined {
  const commandId = COMMAND_ID[command as 'submit_sm_resp' | 'deliver_sm_resp' | 'data_sm_resp'];
  if (commandId === undefined || !(commandId & 0x80000000)) return undefined;
  if (status !== 0) {
    const header = Buffer.allocUnsafe(HEADER_LENGTH);
    writeHeader(header, commandId, status, sequence);
    return header;
  }
  const size = sizeOf('cstring', messageId);
  if (size === undefined) return undefined;
  const buffer = Buffer.allocUnsafe(HEADER_LENGTH + size);
  writeHeader(buffer, commandId, 0, sequence);
  write('cstring', messageId, buffer, HEADER_LENGTH);
  return buffer;
}

export interface MessageResponse extends PduHeader {
  command: 'submit_sm_resp' | 'deliver_sm_resp' | 'data_sm_resp';
  command_length: number;
  message_id?: string;
}

const responseNames = new Map<number, MessageResponse['command']>([
  [COMMAND_ID.submit_sm_resp, 'submit_sm_resp'],
  [COMMAND_ID.deliver_sm_resp, 'deliver_sm_resp'],
  [COMMAND_ID.data_sm_resp, 'data_sm_resp'],
]);

/**
 * Reads a submit_sm_resp, deliver_sm_resp or data_sm_resp from `body`, the
 * PDU after its command_length (`length` octets in all); undefined for any
 * other command. The message_id is read up to its NUL or the end of the PDU;
 * an error response without a body has none, as with the package.
 */
export function decodeMessageResponse(length: number, body: Buffer): MessageResponse | undefined {
  const commandId = body.readUInt32BE(0);
  const command = responseNames.get(commandId);
  if (!command) return undefined;
  const response: MessageResponse = {
    command,
    command_id: commandId,
    command_status: body.readUInt32BE(4),
    sequence_number: body.readUInt32BE(8),
    command_length: length,
  };
  const start = HEADER_LENGTH - 4;
  if (body.length > start) {
    const nul = body.indexOf(0, start);
    // 'ascii', as the package reads C strings (the high bit of each octet cleared).
    response.message_id = body.toString('ascii', start, nul === -1 ? body.length : nul);
  }
  return response;
}

/** The PDU after its command_length, read: the header fields, then what each command carries. */
export interface DecodedMessageRequest extends PduHeader {
  command: 'submit_sm' | 'deliver_sm';
  command_length: number;
  [field: string]: unknown;
}

const requestNames = new Map<number, DecodedMessageRequest['command']>([
  [COMMAND_ID.submit_sm, 'submit_sm'],
  [COMMAND_ID.deliver_sm, 'deliver_sm'],
]);
const tlvsByTag = new Map(Object.entries(tlvs).map(([name, { tag, kind }]) => [tag, { name, kind }]));
/** SMPP 3.4 §5.2.21: short_message holds 0 to 254 octets. */
const MAX_SHORT_MESSAGE = 254;

/**
 * Reads a submit_sm or deliver_sm from `body` (the PDU after its command_length, `length` octets in all) into
 * the fields the package reads, or returns undefined for anything but a plainly well-formed one of these two
 * (a field cut short, an sm_length that does not add up, a TLV not listed above or of an odd length, one
 * TLV twice): the caller then takes the package's path, which checks and reports each fault. Byte fields
 * (short_message, message_payload, network_error_code) are copies, so they do not hold the socket's chunk.
 */
export function decodeMessageRequest(length: number, body: Buffer): DecodedMessageRequest | undefined {
  const commandId = body.readUInt32BE(0);
  const command = requestNames.get(commandId);
  if (!command || body.length !== length - 4) return undefined;
  const pdu: DecodedMessageRequest = {
    command_length: length,
    command_id: commandId,
    command_status: body.readUInt32BE(4),
    sequence_number: body.readUInt32BE(8),
    command,
  };
  const end = body.length;
  let offset = HEADER_LENGTH - 4;
  for (const [name, kind] of mandatory) {
    if (offset >= end) return undefined;
    if (kind === 'u8') {
      pdu[name] = body[offset++];
      continue;
    }
    const nul = body.indexOf(0, offset);
    if (nul < 0) return undefined;
    // 'ascii', as the package reads C strings (the high bit of each octet cleared).
    pdu[name] = body.toString('ascii', offset, nul);
    offset = nul + 1;
  }
  if (offset >= end) return undefined;
  const smLength = body[offset++]!;
  if (smLength > MAX_SHORT_MESSAGE || offset + smLength > end) return undefined;
  pdu['short_message'] = Buffer.from(body.subarray(offset, offset + smLength));
  offset += smLength;
  while (offset < end) {
    if (offset + 4 > end) return undefined;
    const tlv = tlvsByTag.get(body.readUInt16BE(offset));
    const size = body.readUInt16BE(offset + 2);
    offset += 4;
    if (!tlv || offset + size > end || tlv.name in pdu) return undefined;
    switch (tlv.kind) {
      case 'u8':
        if (size !== 1) return undefined;
        pdu[tlv.name] = body[offset];
        break;
      case 'u16':
        if (size !== 2) return undefined;
        pdu[tlv.name] = body.readUInt16BE(offset);
        break;
      case 'cstring': {
        // Up to its NUL or the TLV's end, as smpp-package.ts reads a C-string TLV.
        const nul = body.indexOf(0, offset);
        pdu[tlv.name] = body.toString('ascii', offset, nul >= offset && nul < offset + size ? nul : offset + size);
        break;
      }
      case 'bytes':
        pdu[tlv.name] = Buffer.from(body.subarray(offset, offset + size));
        break;
    }
    offset += size;
  }
  return pdu;
}

const EMPTY = Buffer.alloc(0);
