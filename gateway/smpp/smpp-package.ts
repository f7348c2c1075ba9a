/**
 * The one place that imports the `smpp` package. It is used only as a PDU
 * framer and field codec; everything above it is our typed session layer.
 *
 * Two things are changed on import, once, for the whole process:
 * - text and time fields are passed through raw. The package guesses text
 *   encodings (it labels GSM text as IA5 and decodes with a lossy table) and its
 *   time filter throws on some valid relative times; our own codecs own both.
 * - `GuardedSession` replaces the package's PDU reader. The package's reader
 *   catches a parse error, emits it and returns without clearing its `_busy`
 *   flag (lib/smpp.js `_extractPDUs`), so one bad PDU silently stops that
 *   session from ever reading again; an 'error' with no listener also kills
 *   the process. Ours reports each fault and keeps the stream aligned.
 *
 * The package knows the layouts of submit_multi (with its dest_address and
 * unsuccess_sme arrays), cancel_sm and replace_sm; the one gap, a dest_flag
 * other than 1 or 2 read as a distribution list, is refused here (ESME_RINVDESTFLAG).
 */
import smpp from 'smpp';
import type { Duplex } from 'node:stream';
import type { RawPdu } from 'smpp';
import { decodeMessageRequest, decodeMessageResponse } from './message-codec';

export type { RawPdu };

const rawFields = new Set(['short_message', 'schedule_delivery_time', 'validity_period', 'final_date']);
const passThrough = { encode: (value: unknown) => value, decode: (value: unknown) => value };
for (const command of Object.values(smpp.commands)) {
  for (const [name, param] of Object.entries(command.params ?? {})) {
    if (param.filter && rawFields.has(name)) param.filter = passThrough;
  }
}
const payloadTlv = smpp.tlvs['message_payload'];
if (payloadTlv) payloadTlv.filter = passThrough;
// The package reads a C-string TLV up to the next NUL, ignoring the TLV's length: a
// receipted_message_id sent without its NUL (common) swallowed the TLVs after it. Read within the length.
const cstringTlv = {
  read: (buffer: Buffer, offset: number, length: number) => {
    const end = buffer.indexOf(0, offset);
    return buffer.toString('ascii', offset, end >= offset && end < offset + length ? end : offset + length);
  },
};
for (const tlv of Object.values(smpp.tlvs)) {
  if (tlv.type === smpp.types.tlv.cstring) tlv.type = { ...tlv.type, ...cstringTlv };
}

export const MAX_PDU_LENGTH = smpp.PDU.maxLength;
const HEADER_LENGTH = 16;

/**
 * A PDU that could not be read. `framing` faults leave the stream unaligned: the session cannot go on.
 * A `body` fault with a `status` is a field whose length or flag is wrong: it is answered with the command's own
 * response carrying that status; other faults with generic_nack.
 */
export interface PduFault {
  kind: 'framing' | 'body' | 'truncated';
  commandId?: number;
  command?: string;
  sequence?: number;
  status?: number;
  error: Error;
}

/** SMPP 3.4 §5.2.21: short_message holds 0 to 254 octets. */
const MAX_SHORT_MESSAGE = 254;
const STATUS = { ESME_RINVMSGLEN: 0x01, ESME_RINVDESTFLAG: 0x40, ESME_RINVOPTPARSTREAM: 0xc0, ESME_RINVPARLEN: 0xc2 } as const;

const knownTlvTags = new Set(Object.values(smpp.tlvs).map((tlv) => tlv.id));

class FieldFault extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export function isKnownCommand(name: string): boolean {
  return name in smpp.commands;
}

export function buildPdu(command: string, fields: Record<string, unknown>): RawPdu {
  return new smpp.PDU(command, fields);
}

export class GuardedSession extends smpp.Session {
  /** After a framing fault: bytes are read and dropped, so the peer's FIN is seen and the socket can close. */
  #discarding = false;

  override _extractPDUs(): void {
    if (this.#discarding) {
      while (this.socket.read() !== null);
      return;
    }
    if (this._busy) return;
    this._busy = true;
    try {
      while (!this.paused) {
        if (this._command_length === null) {
          const head = this.socket.read(4) as Buffer | null;
          if (!head) break;
          if (head.length < 4) {
            this.#fault({ kind: 'truncated', error: new Error('connection closed inside a PDU header') });
            break;
          }
          const length = head.readUInt32BE(0);
          if (length < HEADER_LENGTH || length > MAX_PDU_LENGTH) {
            this.#framingFault(length);
            break;
          }
          this._command_length = length;
        }
        const length = this._command_length;
        const body = this.socket.read(length - 4) as Buffer | null;
        if (!body) break;
        this._command_length = null;
        // Messages and their responses, the most frequent PDUs read, skip the package when well formed (message-codec.ts).
        const fast = body.length === length - 4 ? (decodeMessageResponse(length, body) ?? decodeMessageRequest(length, body)) : undefined;
        if (fast) {
          this.emit('pdu', fast);
          continue;
        }
        const buffer = Buffer.alloc(4 + body.length);
        buffer.writeUInt32BE(length, 0);
        body.copy(buffer, 4);
        if (body.length < length - 4) {
          this.#fault({ kind: 'truncated', ...headerOf(buffer), error: new Error(`connection closed after ${buffer.length} of ${length} bytes`) });
          break;
        }
        let pdu: RawPdu;
        const command = smpp.commandsById[buffer.readUInt32BE(4)]?.command;
        try {
          // Lengths first: the package cuts what overruns silently, or throws on a TLV it cannot read.
          if (command && !isResponseId(buffer.readUInt32BE(4))) checkLengths(buffer, command);
          pdu = new smpp.PDU(buffer);
          // The package stops reading fields at the end of the body and leaves the rest undefined.
          const missing = pdu.isResponse() ? undefined : missingField(pdu);
          if (missing) throw new Error(`${pdu.command} ends before its mandatory field ${missing}`);
        } catch (error) {
          const status = error instanceof FieldFault ? error.status : undefined;
          this.#fault({ kind: 'body', ...headerOf(buffer), command, status, error: error as Error });
          continue;
        }
        this.emit('pdu', pdu);
      }
    } finally {
      this._busy = false;
    }
  }

  /** Stops taking PDUs off the socket; unread bytes then fill its buffer and TCP holds the peer back. */
  pauseReading(): void {
    this.paused = true;
  }

  resumeReading(): void {
    if (this.#discarding || !this.paused) return;
    this.paused = false;
    this._extractPDUs();
  }

  #framingFault(length: number): void {
    // The length cannot be trusted, so nothing after it can be framed: stop reading PDUs.
    this.paused = true;
    this.#discarding = true;
    const rest = this.socket.read(Math.min(12, this.socket.readableLength)) as Buffer | null;
    const header = Buffer.alloc(16);
    header.writeUInt32BE(length, 0);
    rest?.copy(header, 4);
    const known = rest && rest.length >= 12 ? headerOf(header) : {};
    this.#fault({ kind: 'framing', ...known, error: new Error(`command_length ${length} is outside ${HEADER_LENGTH}..${MAX_PDU_LENGTH}`) });
    while (this.socket.read() !== null);
  }

  #fault(fault: PduFault): void {
    this.emit('fault', fault);
  }
}

/** Requests carry every mandatory field; responses may omit their body when command_status is not 0. */
function missingField(pdu: RawPdu): string | undefined {
  const params = smpp.commands[pdu.command]?.params ?? {};
  return Object.keys(params).find((name) => pdu[name] === undefined);
}

/**
 * The package reads short_message and TLVs by their own lengths and silently
 * cuts them at the end of the PDU; bytes a short sm_length leaves behind are
 * read as TLVs. This walks the body as the lengths say and refuses what does not add up.
 */
function checkLengths(buffer: Buffer, command: string): void {
  const end = buffer.length;
  let offset = HEADER_LENGTH;
  let smLength: number | undefined;
  for (const [name, param] of Object.entries(smpp.commands[command]?.params ?? {})) {
    if (offset >= end) return; // a missing mandatory field: reported once the PDU is read
    if (name === 'short_message') {
      smLength = buffer.readUInt8(offset);
      if (smLength > MAX_SHORT_MESSAGE) throw new FieldFault(`sm_length ${smLength} is above ${MAX_SHORT_MESSAGE}`, STATUS.ESME_RINVMSGLEN);
      if (offset + 1 + smLength > end) throw new FieldFault(`sm_length ${smLength} runs past the end of the PDU (${end - offset - 1} octets left)`, STATUS.ESME_RINVMSGLEN);
      offset += 1 + smLength;
      continue;
    }
    if (name === 'dest_address') checkDestFlags(buffer, offset);
    offset += param.type.size(param.type.read(buffer, offset));
  }
  for (let first = true; offset < end; first = false) {
    const fits = offset + 4 <= end && offset + 4 + buffer.readUInt16BE(offset + 2) <= end;
    if (fits) {
      offset += 4 + buffer.readUInt16BE(offset + 2);
      continue;
    }
    // Bytes left behind by a short sm_length rarely start with a known TLV tag: blame sm_length then.
    if (first && smLength !== undefined && !(offset + 2 <= end && knownTlvTags.has(buffer.readUInt16BE(offset)))) {
      throw new FieldFault(`sm_length ${smLength} does not match the message: ${end - offset} octets after it are not TLVs`, STATUS.ESME_RINVMSGLEN);
    }
    if (offset + 4 > end) throw new FieldFault(`${end - offset} octets after the last TLV`, STATUS.ESME_RINVOPTPARSTREAM);
    const tag = buffer.readUInt16BE(offset);
    throw new FieldFault(`TLV 0x${tag.toString(16).padStart(4, '0')} is ${buffer.readUInt16BE(offset + 2)} octets long, past the end of the PDU`, STATUS.ESME_RINVPARLEN);
  }
}

/**
 * submit_multi's destinations (§4.5.1.1) are SME addresses (dest_flag 1) or distribution list names (2); the
 * package reads any other flag as a list name. A destination cut short is left to the package's reader.
 */
function checkDestFlags(buffer: Buffer, offset: number): void {
  const count = buffer.readUInt8(offset);
  let at = offset + 1;
  for (let i = 0; i < count && at < buffer.length; i++) {
    const flag = buffer.readUInt8(at);
    if (flag !== 1 && flag !== 2) throw new FieldFault(`dest_flag ${flag} of destination ${i + 1} is neither 1 (SME address) nor 2 (distribution list)`, STATUS.ESME_RINVDESTFLAG);
    at += flag === 1 ? 3 : 1;
    const nul = buffer.indexOf(0, at);
    if (nul < 0) return;
    at = nul + 1;
  }
}

function isResponseId(commandId: number): boolean {
  return (commandId & 0x80000000) !== 0;
}

function headerOf(buffer: Buffer): { commandId?: number; sequence?: number } {
  if (buffer.length < HEADER_LENGTH) return {};
  return { commandId: buffer.readUInt32BE(4), sequence: buffer.readUInt32BE(12) };
}

export function wrapSocket(socket: Duplex): GuardedSession {
  return new GuardedSession({ socket });
}

export function connectSession(options: { host: string; port: number; tls?: boolean; [key: string]: unknown }): GuardedSession {
  return new GuardedSession(options);
}
