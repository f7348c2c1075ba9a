import { EventEmitter } from 'node:events';
import { buildPdu, connectSession, isKnownCommand, wrapSocket, type GuardedSession, type PduFault } from './smpp-package';
import { CommandStatus } from './command-status';
import { SmppProtocolError, SmppSessionClosedError, SmppTimeoutError } from './errors';
import { isResponse, type Pdu, type PduHeader, type ResponsePdu } from './pdu';
import { encodeMessageRequest, encodeMessageResponse } from './message-codec';
import type { Duplex } from 'node:stream';
import { systemClock, type Clock, type Timer } from '../clock';

export interface SmppSessionOptions {
  /** Response and close timeouts run on it; default the system clock. */
  clock?: Clock;
  /** How long `request` waits for the matching response. */
  responseTimeoutMs?: number;
  /**
   * Output the peer has not taken yet (bytes) above which the session stops
   * reading its requests, until the output drains. A peer that sends without
   * reading our answers is then held back by TCP instead of growing our
   * memory; `whenWritable` lets a sender wait for room. Default: no bound.
   */
  maxBufferedBytes?: number;
}

interface Pending {
  command: string;
  resolve(pdu: ResponsePdu): void;
  reject(error: Error): void;
  timer: Timer;
}

/** Whether a response's fields are at most a message_id, which the hand codec writes. */
function isMessageIdOnly(fields: Record<string, unknown>): boolean {
  for (const name in fields) if (name !== 'message_id') return false;
  return true;
}

/** How long `close` waits for the peer to close its side before it drops the connection. */
const CLOSE_GRACE_MS = 2_000;

export interface SmppSessionEvents {
  /** A request from the peer (bind, submit_sm, enquire_link, unbind, deliver_sm …); answer it with `respond`. */
  request: [pdu: Pdu];
  /** A PDU that could not be served; it has already been answered (and the session closed if it cannot go on). */
  protocolError: [error: SmppProtocolError];
  /** The response to a request that had already timed out (the peer still counted it until now). */
  lateResponse: [pdu: ResponsePdu];
  close: [];
}

const MAX_SEQUENCE = 0x7fffffff;

/**
 * A typed SMPP session over one TCP (or TLS) connection, for either side of the
 * link. It frames PDUs, matches responses to requests with a timeout each,
 * answers what it cannot parse with generic_nack, and never throws on bad input.
 */
export class SmppSession extends EventEmitter<SmppSessionEvents> {
  readonly #raw: GuardedSession;
  readonly #pending = new Map<number, Pending>();
  readonly #timedOut = new Set<number>();
  readonly #responseTimeoutMs: number;
  readonly #clock: Clock;
  #sequence = 0;
  #closed = false;
  #flushScheduled = false;
  #readingPaused = false;
  #peakBufferedBytes = 0;
  readonly #maxBufferedBytes: number;
  readonly remoteAddress: string;

  static accept(socket: Duplex, options: SmppSessionOptions = {}): SmppSession {
    return new SmppSession(wrapSocket(socket), options);
  }

  /** Resolves once the TCP (or TLS) connection is up. */
  static connect(target: { host: string; port: number; tls?: boolean; rejectUnauthorized?: boolean }, options: SmppSessionOptions = {}): Promise<SmppSession> {
    return new Promise((resolve, reject) => {
      const raw = connectSession({ ...target });
      const session = new SmppSession(raw, options);
      const onError = (error: Error) => reject(error);
      raw.socket.once('error', onError);
      raw.once(target.tls ? 'secureConnect' : 'connect', () => {
        raw.socket.off('error', onError);
        resolve(session);
      });
    });
  }

  private constructor(raw: GuardedSession, options: SmppSessionOptions) {
    super();
    this.#raw = raw;
    this.#responseTimeoutMs = options.responseTimeoutMs ?? 10_000;
    this.#clock = options.clock ?? systemClock;
    // Never below the socket's own high-water mark, so that passing it always ends in a 'drain'.
    this.#maxBufferedBytes = Math.max(options.maxBufferedBytes ?? Infinity, raw.socket.writableHighWaterMark);
    this.remoteAddress = `${raw.socket.remoteAddress ?? '?'}:${raw.socket.remotePort ?? '?'}`;
    raw.on('pdu', (pdu: PduHeader) => this.#onPdu(pdu));
    raw.on('fault', (fault: PduFault) => this.#onFault(fault));
    // Socket errors (resets, TLS failures) end in 'close'; a listener stops them from being thrown.
    raw.on('error', () => undefined);
    raw.on('close', () => this.#onClose());
  }

  get closed(): boolean {
    return this.#closed;
  }

  get pendingRequests(): number {
    return this.#pending.size;
  }

  /** Bytes written to this session that the peer has not taken yet (still in our socket buffer). */
  get bufferedBytes(): number {
    return this.#raw.socket.writableLength;
  }

  /** The most `bufferedBytes` has been. */
  get peakBufferedBytes(): number {
    return this.#peakBufferedBytes;
  }

  /** Whether reading is held back because the peer does not take our output. */
  get readingPaused(): boolean {
    return this.#readingPaused;
  }

  /**
   * Resolves once the peer has taken enough of our output that more may be
   * written (at once when under `maxBufferedBytes`); rejects if the session
   * closes first. A sender that waits here cannot pile up PDUs a stuck peer never reads.
   */
  whenWritable(): Promise<void> {
    if (this.#closed) return Promise.reject(new SmppSessionClosedError('write'));
    // Once past the bound, held until the output drains whole (the kernel taking a little does not count).
    if (!this.#readingPaused && this.bufferedBytes <= this.#maxBufferedBytes) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const socket = this.#raw.socket;
      const onDrain = () => {
        this.off('close', onClose);
        resolve();
      };
      const onClose = () => {
        socket.off('drain', onDrain);
        reject(new SmppSessionClosedError('write'));
      };
      socket.once('drain', onDrain);
      this.once('close', onClose);
    });
  }

  /** Sends a request and resolves with its response, whatever its command_status. */
  request(command: string, fields: Record<string, unknown> = {}, timeoutMs = this.#responseTimeoutMs): Promise<ResponsePdu> {
    if (this.#closed) return Promise.reject(new SmppSessionClosedError(command));
    const sequence = this.#nextSequence();
    return new Promise((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        this.#pending.delete(sequence);
        this.#timedOut.add(sequence);
        reject(new SmppTimeoutError(command, timeoutMs, sequence));
      }, timeoutMs);
      this.#pending.set(sequence, { command, resolve, reject, timer });
      const bytes = encodeMessageRequest(command, sequence, fields) ?? buildPdu(command, { ...fields, sequence_number: sequence }).toBuffer();
      if (!this.#write(bytes)) {
        timer.cancel();
        this.#pending.delete(sequence);
        reject(new SmppSessionClosedError(command));
      }
    });
  }

  /** Answers a request; a non-zero status sends the header only, as SMPP 3.4 requires. */
  respond(request: Pdu, fields: Record<string, unknown> = {}, status: number = CommandStatus.ESME_ROK): boolean {
    const command = isKnownCommand(`${request.command}_resp`) ? `${request.command}_resp` : 'generic_nack';
    const fast = isMessageIdOnly(fields) ? encodeMessageResponse(command, request.sequence_number, status, fields['message_id']) : undefined;
    return this.#write(fast ?? buildPdu(command, { ...fields, sequence_number: request.sequence_number, command_status: status }).toBuffer());
  }

  /**
   * Answers the link-control requests both sides of a link treat alike:
   * enquire_link (answered) and unbind (answered, then the connection closed).
   * Returns whether `pdu` was one of them.
   */
  answerLinkControl(pdu: Pdu): boolean {
    if (pdu.command === 'enquire_link') {
      this.respond(pdu);
      return true;
    }
    if (pdu.command === 'unbind') {
      this.respond(pdu);
      void this.close();
      return true;
    }
    return false;
  }

  genericNack(sequence: number, status: number): boolean {
    return this.#write(buildPdu('generic_nack', { sequence_number: sequence, command_status: status }).toBuffer());
  }

  /** Ends the connection after what was written is flushed. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      // A peer that never closes its side must not hold us forever.
      const grace = this.#clock.setTimeout(() => this.#raw.destroy(), CLOSE_GRACE_MS);
      this.once('close', () => {
        grace.cancel();
        resolve();
      });
      this.#raw.close();
    });
  }

  destroy(): void {
    this.#raw.destroy();
  }

  #nextSequence(): number {
    this.#sequence = this.#sequence >= MAX_SEQUENCE ? 1 : this.#sequence + 1;
    return this.#sequence;
  }

  #write(bytes: Buffer): boolean {
    const socket = this.#raw.socket;
    if (this.#closed || !socket.writable) return false;
    this.#coalesceWrites();
    socket.write(bytes);
    this.#holdBackIfBehind();
    return true;
  }

  #holdBackIfBehind(): void {
    const buffered = this.bufferedBytes;
    if (buffered > this.#peakBufferedBytes) this.#peakBufferedBytes = buffered;
    if (this.#readingPaused || buffered <= this.#maxBufferedBytes) return;
    this.#readingPaused = true;
    this.#raw.pauseReading();
    this.#raw.socket.once('drain', () => {
      this.#readingPaused = false;
      this.#raw.resumeReading();
    });
  }

  /**
   * PDUs written in one turn of the event loop (the responses to a window of
   * requests, a burst of receipts) leave in one socket write, not one syscall
   * each. The socket is uncorked before the loop waits for I/O again; `end()`
   * (close) uncorks at once.
   */
  #coalesceWrites(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    const socket = this.#raw.socket;
    socket.cork();
    setImmediate(() => {
      this.#flushScheduled = false;
      socket.uncork();
    });
  }

  #onPdu(pdu: PduHeader): void {
    if (isResponse(pdu) || pdu.command === 'generic_nack') {
      const pending = this.#pending.get(pdu.sequence_number);
      if (!pending) {
        if (this.#timedOut.delete(pdu.sequence_number)) this.emit('lateResponse', pdu as ResponsePdu);
        return;
      }
      this.#pending.delete(pdu.sequence_number);
      pending.timer.cancel();
      pending.resolve(pdu as ResponsePdu);
      return;
    }
    if (pdu.command === 'unknown') {
      this.genericNack(pdu.sequence_number, CommandStatus.ESME_RINVCMDID);
      this.emit('protocolError', new SmppProtocolError(`unknown command_id 0x${pdu.command_id.toString(16)}`, CommandStatus.ESME_RINVCMDID, true));
      return;
    }
    this.emit('request', pdu as Pdu);
  }

  #onFault(fault: PduFault): void {
    const survives = fault.kind === 'body';
    const sequence = fault.sequence ?? 0;
    if (fault.status !== undefined && fault.command) {
      // A field of a known command has a wrong length: its own response says so.
      const status = fault.status;
      this.respond({ command: fault.command, command_id: fault.commandId ?? 0, command_status: 0, sequence_number: sequence }, {}, status);
      this.emit('protocolError', new SmppProtocolError(`${fault.command}: ${fault.error.message}`, status, true));
      return;
    }
    const status = CommandStatus.ESME_RINVCMDLEN;
    if (fault.kind !== 'truncated') this.genericNack(sequence, status);
    this.emit('protocolError', new SmppProtocolError(`unreadable PDU (${fault.kind}): ${fault.error.message}`, status, survives));
    if (!survives) void this.close();
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timedOut.clear();
    for (const [sequence, pending] of this.#pending) {
      pending.timer.cancel();
      pending.reject(new SmppSessionClosedError(pending.command));
      this.#pending.delete(sequence);
    }
    this.emit('close');
  }
}
