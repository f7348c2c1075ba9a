// The `smpp` package ships no types; this declares the small part of it that
// gateway/smpp/smpp-package.ts uses. Nothing else may import `smpp`.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Duplex } from 'node:stream';

  export interface RawPdu {
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    command_length: number;
    isResponse(): boolean;
    response(options?: Record<string, unknown>): RawPdu;
    toBuffer(): Buffer;
    [field: string]: unknown;
  }

  export interface PduConstructor {
    new (command: string | Buffer, options?: Record<string, unknown>): RawPdu;
    maxLength: number;
  }

  export class Session extends EventEmitter {
    constructor(options: { socket?: Duplex; [key: string]: unknown });
    socket: Duplex & { remoteAddress?: string; remotePort?: number; writable: boolean };
    paused: boolean;
    sequence: number;
    protected _busy: boolean;
    protected _command_length: number | null;
    _extractPDUs(): void;
    send(pdu: RawPdu, responseCallback?: (pdu: RawPdu) => void, sendCallback?: (pdu: RawPdu) => void): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
  }

  interface ParamType { read(buffer: Buffer, offset: number, length?: number): unknown; size(value: unknown): number }
  interface ParamDef { type: ParamType; filter?: { encode(v: unknown): unknown; decode(v: unknown): unknown }; default?: unknown }
  interface TlvType { read(buffer: Buffer, offset: number, length: number): unknown; write(value: unknown, buffer: Buffer, offset: number): void; size(value: unknown): number }

  const smpp: {
    Session: typeof Session;
    PDU: PduConstructor;
    commands: Record<string, { id: number; params?: Record<string, ParamDef> }>;
    commandsById: Record<number, { command: string }>;
    tlvs: Record<string, { id: number; type: TlvType; filter?: ParamDef['filter'] }>;
    types: { tlv: { cstring: TlvType } };
  };
  export default smpp;
}
