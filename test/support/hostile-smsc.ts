// A small SMSC for tests that misbehaves on purpose, built on the `smpp` package as a third party's would
// be: answers late or never, refuses with any status, throttles above a rate, goes down and comes back, and
// sends receipts in whatever shape a test writes (raw bytes included). It records every PDU it receives.
import { createServer, type Server } from 'node:net';
import smpp from 'smpp';
import { waitFor } from './wait-for';

export type SmscPdu = Record<string, unknown> & { command: string; command_status: number; sequence_number: number };

interface PackageSession {
  on(event: string, listener: (pdu: SmscPdu) => void): void;
  send(pdu: unknown, callback?: (pdu: SmscPdu) => void): boolean;
  destroy(): void;
  socket: { destroyed: boolean; write(data: Buffer): boolean; once(event: string, listener: () => void): void };
}

const lib = smpp as unknown as {
  Session: new (options: { socket: unknown }) => PackageSession;
  PDU: new (command: string, options?: Record<string, unknown>) => { response(options?: Record<string, unknown>): unknown; toBuffer(): Buffer; sequence_number: number };
};

/** How to answer one submit_sm: `respond: false` never answers it; `after` answers once it settles. */
export interface SubmitAnswer {
  status?: number;
  messageId?: string;
  after?: Promise<unknown>;
  respond?: boolean;
}

export interface ReceivedSubmit {
  pdu: SmscPdu;
  /** Its index among all submits, from 0. */
  index: number;
  /** The message id it was answered with (when answered with ESME_ROK). */
  messageId?: string;
  status?: number;
}

const ESME_RTHROTTLED = 0x58;
const ESME_RBINDFAIL = 0x0d;

export class HostileSmsc {
  /** Every PDU received from an ESME, in order (requests and responses). */
  readonly received: SmscPdu[] = [];
  readonly submits: ReceivedSubmit[] = [];
  /** Decides each submit's answer; default: ESME_ROK with the next decimal id. */
  onSubmit: (submit: ReceivedSubmit) => SubmitAnswer = () => ({});
  /** Binds seen (accepted or not). */
  binds = 0;
  #server: Server;
  #sessions = new Set<PackageSession>();
  #down = false;
  #throttlePerSecond = 0;
  #recent: number[] = [];
  #nextId = 1000;
  /** Submits answered so far minus those responded: what the ESME has outstanding here. */
  #unanswered = 0;
  maxUnanswered = 0;

  private constructor(server: Server, readonly port: number) {
    this.#server = server;
  }

  static async start(): Promise<HostileSmsc> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const smsc = new HostileSmsc(server, typeof address === 'object' && address ? address.port : 0);
    server.on('connection', (socket) => smsc.#accept(new lib.Session({ socket })));
    return smsc;
  }

  /** Answers ESME_RTHROTTLED to submits beyond `perSecond` in any second (0: never). */
  throttle(perSecond: number): void {
    this.#throttlePerSecond = perSecond;
  }

  /** Drops every bound session and refuses binds (ESME_RBINDFAIL) until `restore()`. */
  outage(): void {
    this.#down = true;
    for (const session of this.#sessions) session.destroy();
  }

  restore(): void {
    this.#down = false;
  }

  get boundSessions(): number {
    return this.#sessions.size;
  }

  /** Sends deliver_sm on the first bound session and resolves with the ESME's response. */
  deliver(fields: Record<string, unknown>): Promise<SmscPdu> {
    return this.request('deliver_sm', fields);
  }

  request(command: string, fields: Record<string, unknown> = {}): Promise<SmscPdu> {
    const session = this.#firstSession();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response to ${command}`)), 5_000);
      session.send(new lib.PDU(command, fields), (pdu) => {
        clearTimeout(timer);
        resolve(pdu);
      });
    });
  }

  /** Writes bytes as they are (a PDU the package would not build); resolves with the response to `sequence`. */
  writeRaw(bytes: Buffer, sequence: number): Promise<SmscPdu> {
    this.#firstSession().socket.write(bytes);
    return waitFor(`the response to raw PDU #${sequence}`, () => this.received.find((p) => p.sequence_number === sequence && (p.command.endsWith('_resp') || p.command === 'generic_nack')));
  }

  /** Sends a PDU that has no response (alert_notification, outbind …). */
  notify(command: string, fields: Record<string, unknown> = {}): void {
    this.#firstSession().send(new lib.PDU(command, fields));
  }

  waitForSubmits(count: number, timeoutMs = 5_000): Promise<ReceivedSubmit[]> {
    return waitFor(`${count} submit_sm`, () => (this.submits.length >= count ? this.submits : undefined), timeoutMs);
  }

  waitForBound(timeoutMs = 5_000): Promise<true> {
    return waitFor('an ESME to bind', () => this.#sessions.size > 0, timeoutMs);
  }

  async close(): Promise<void> {
    for (const session of this.#sessions) session.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #firstSession(): PackageSession {
    const session = [...this.#sessions][0];
    if (!session) throw new Error('no ESME is bound');
    return session;
  }

  #accept(session: PackageSession): void {
    session.on('error', () => undefined);
    session.socket.once('close', () => {
      if (this.#sessions.delete(session)) this.#unanswered = 0;
    });
    session.on('pdu', (pdu) => {
      this.received.push(pdu);
      const respond = (fields: Record<string, unknown> = {}) => session.send((pdu as unknown as { response(o?: Record<string, unknown>): unknown }).response(fields));
      switch (pdu.command) {
        case 'bind_transceiver':
        case 'bind_transmitter':
        case 'bind_receiver':
          this.binds++;
          if (this.#down) {
            respond({ command_status: ESME_RBINDFAIL });
            return;
          }
          this.#sessions.add(session);
          respond({ system_id: 'hostile' });
          return;
        case 'enquire_link':
        case 'unbind':
          respond();
          return;
        case 'submit_sm':
          this.#submit(pdu, respond);
          return;
        default:
      }
    });
  }

  #submit(pdu: SmscPdu, respond: (fields: Record<string, unknown>) => void): void {
    const submit: ReceivedSubmit = { pdu, index: this.submits.length };
    this.submits.push(submit);
    this.maxUnanswered = Math.max(this.maxUnanswered, ++this.#unanswered);
    const now = Date.now();
    this.#recent = this.#recent.filter((at) => at > now - 1_000);
    let answer: SubmitAnswer;
    if (this.#throttlePerSecond > 0 && this.#recent.length >= this.#throttlePerSecond) {
      answer = { status: ESME_RTHROTTLED };
    } else {
      this.#recent.push(now);
      answer = this.onSubmit(submit);
    }
    if (answer.respond === false) return;
    const status = answer.status ?? 0;
    submit.status = status;
    if (status === 0) submit.messageId = answer.messageId ?? String(this.#nextId++);
    const send = () => {
      this.#unanswered = Math.max(0, this.#unanswered - 1);
      respond(status === 0 ? { message_id: submit.messageId } : { command_status: status });
    };
    if (answer.after) void answer.after.then(send, send);
    else send();
  }
}

/**
 * A deliver_sm written by hand: header, the mandatory fields of a receipt, then
 * `tlvs` exactly as given (so a TLV can lack its NUL, or lie about its length).
 */
export function rawDeliverSm(sequence: number, options: { text: string; tlvs?: { tag: number; value: Buffer }[]; esmClass?: number }): Buffer {
  const cstring = (value: string) => Buffer.concat([Buffer.from(value, 'latin1'), Buffer.from([0])]);
  const text = Buffer.from(options.text, 'latin1');
  const body = Buffer.concat([
    cstring(''), // service_type
    Buffer.from([1, 1]), cstring('4915112345678'), // source ton, npi, addr
    Buffer.from([5, 0]), cstring('Verigate'), // dest ton, npi, addr
    Buffer.from([options.esmClass ?? 0x04, 0, 0]), // esm_class, protocol_id, priority_flag
    cstring(''), cstring(''), // schedule_delivery_time, validity_period
    Buffer.from([0, 0, 0, 0, text.length]), // registered_delivery, replace_if_present, data_coding, sm_default_msg_id, sm_length
    text,
    ...(options.tlvs ?? []).map(({ tag, value }) => {
      const head = Buffer.alloc(4);
      head.writeUInt16BE(tag, 0);
      head.writeUInt16BE(value.length, 2);
      return Buffer.concat([head, value]);
    }),
  ]);
  const header = Buffer.alloc(16);
  header.writeUInt32BE(16 + body.length, 0);
  header.writeUInt32BE(0x00000005, 4);
  header.writeUInt32BE(0, 8);
  header.writeUInt32BE(sequence, 12);
  return Buffer.concat([header, body]);
}
