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
 */
import smpp from 'smpp';
import type { Duplex } from 'node:stream';
import type { RawPdu } from 'smpp';

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

export const MAX_PDU_LENGTH = smpp.PDU.maxLength;
const HEADER_LENGTH = 16;

/** A PDU that could not be read. `framing` faults leave the stream unaligned: the session cannot go on. */
export interface PduFault {
  kind: 'framing' | 'body' | 'truncated';
  commandId?: number;
  sequence?: number;
  error: Error;
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
        const buffer = Buffer.alloc(4 + body.length);
        buffer.writeUInt32BE(length, 0);
        body.copy(buffer, 4);
        if (body.length < length - 4) {
          this.#fault({ kind: 'truncated', ...headerOf(buffer), error: new Error(`connection closed after ${buffer.length} of ${length} bytes`) });
          break;
        }
        let pdu: RawPdu;
        try {
          pdu = new smpp.PDU(buffer);
          // The package stops reading fields at the end of the body and leaves the rest undefined.
          const missing = pdu.isResponse() ? undefined : missingField(pdu);
          if (missing) throw new Error(`${pdu.command} ends before its mandatory field ${missing}`);
        } catch (error) {
          this.#fault({ kind: 'body', ...headerOf(buffer), error: error as Error });
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
