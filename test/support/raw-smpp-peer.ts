import net from 'node:net';

/** Command ids the raw tests write and read (SMPP 3.4 §5.1.2.1). */
export const COMMAND = {
  GENERIC_NACK: 0x80000000,
  BIND_RECEIVER: 0x00000001,
  DELIVER_SM: 0x00000005,
  DELIVER_SM_RESP: 0x80000005,
  BIND_TRANSCEIVER: 0x00000009,
  BIND_TRANSCEIVER_RESP: 0x80000009,
  SUBMIT_SM: 0x00000004,
  SUBMIT_SM_RESP: 0x80000004,
  ENQUIRE_LINK: 0x00000015,
  ENQUIRE_LINK_RESP: 0x80000015,
} as const;

export interface RawHeader {
  length: number;
  commandId: number;
  status: number;
  sequence: number;
}

/** A raw TCP peer: what it sends is bytes, what it gets back is parsed into PDU headers. */
export class RawPeer {
  readonly received: RawHeader[] = [];
  closed = false;
  #buffer = Buffer.alloc(0);

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      while (this.#buffer.length >= 16 && this.#buffer.length >= this.#buffer.readUInt32BE(0)) {
        const length = this.#buffer.readUInt32BE(0);
        this.received.push({ length, commandId: this.#buffer.readUInt32BE(4), status: this.#buffer.readUInt32BE(8), sequence: this.#buffer.readUInt32BE(12) });
        this.#buffer = this.#buffer.subarray(length);
      }
    });
    socket.on('close', () => { this.closed = true; });
    socket.on('error', () => undefined);
  }

  static connect(port: number, localAddress?: string): Promise<RawPeer> {
    return new Promise((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => resolve(new RawPeer(socket)));
    });
  }

  /** Requests the other side sent us (deliver_sm …): command ids without the response bit. */
  requests(commandId: number): RawHeader[] {
    return this.received.filter((h) => h.commandId === commandId);
  }

  /** Answers a request of the other side with `status` (and an empty message_id). */
  respond(request: RawHeader, status = 0): void {
    const answer = pdu((request.commandId | 0x80000000) >>> 0, request.sequence, cString(''));
    answer.writeUInt32BE(status, 8);
    this.socket.write(answer);
  }

  /** The answer to `sequence`, once it is in. */
  answer(sequence: number): RawHeader | undefined {
    return this.received.find((h) => h.sequence === sequence);
  }
}

export function pdu(commandId: number, sequence: number, body: Buffer = Buffer.alloc(0), lengthOverride?: number): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(lengthOverride ?? 16 + body.length, 0);
  header.writeUInt32BE(commandId, 4);
  header.writeUInt32BE(0, 8);
  header.writeUInt32BE(sequence, 12);
  return Buffer.concat([header, body]);
}

export const cString = (text: string): Buffer => Buffer.from(`${text}\0`, 'latin1');

export function bindTransceiverBody(systemId: string, password: string): Buffer {
  return Buffer.concat([cString(systemId), cString(password), cString(''), Buffer.from([0x34, 0, 0]), cString('')]);
}
