import { EventEmitter } from 'node:events';
import { systemClock, type Clock, type Timer } from '../clock';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from '../retry/backoff';
import { CommandStatus, commandStatusName } from './command-status';
import { SmppSessionClosedError, SmppTimeoutError } from './errors';
import { LinkRate } from './link-rate';
import { isMessage, type MessagePdu, type ResponsePdu } from './pdu';
import { SmppSession } from './session';
import type { SmppEndpoint } from './endpoint';
import { VerigateError } from '../errors';

export type LinkState = 'connecting' | 'bound' | 'down' | 'stopped';

export class SmppLinkDownError extends VerigateError {
  override readonly name = 'SmppLinkDownError';
  readonly code = 'SMPP_LINK_DOWN';
  override readonly temporary = true;
  constructor(message = 'the SMPP link is not bound') {
    super(message);
  }
}

export class SmppBindError extends VerigateError {
  override readonly name = 'SmppBindError';
  readonly code = 'SMPP_BIND_REFUSED';
  constructor(readonly status: number) {
    super(`bind refused: ${commandStatusName(status)}`);
  }
}

export interface SmppClientOptions {
  endpoint: SmppEndpoint;
  /** A deliver_sm from the SMSC (receipt or MO); resolves with the status to answer. */
  onDeliver(pdu: MessagePdu): number | Promise<number>;
  clock?: Clock;
  responseTimeoutMs?: number;
  enquireLinkIntervalMs?: number;
  reconnect?: BackoffPolicy;
  /** TLS: accept a self-signed SMSC certificate (tests, labs). */
  rejectUnauthorized?: boolean;
  /** How many times one submit answered ESME_RTHROTTLED is resubmitted, at the link's slowed pace, before the caller hears of it. */
  throttleResubmits?: number;
  /** How long the link sends nothing after the SMSC throttles it (then at half the rate). */
  throttlePauseMs?: number;
  /**
   * Output an SMSC has not taken (bytes, per connection) above which the link stops reading its
   * requests and holds its submits until it drains (default 64 KiB): a stuck SMSC cannot grow our memory.
   */
  maxBufferedBytes?: number;
}

/** The ESME's bound on unread output per connection, as the simulator's SMSC keeps. */
export const DEFAULT_ESME_MAX_BUFFERED_BYTES = 64 * 1024;

export interface SmppClientEvents {
  state: [state: LinkState, reason?: string];
}

interface Slot {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * An ESME link that stays up: binds (transceiver, or transmitter + receiver),
 * keeps at most `windowSize` submits outstanding (a timed-out one still counts
 * until its late response or the link's end: the SMSC counts it too), paces
 * them to `maxPerSecond` and slows down as a whole when throttled (LinkRate),
 * sends enquire_link and drops a link that stops answering, answers the SMSC's
 * own requests, and rebinds with backoff after any drop — or when the SMSC
 * says it lost our bind (ESME_RINVBNDSTS) — until `stop()`.
 */
export class SmppClient extends EventEmitter<SmppClientEvents> {
  readonly #options: SmppClientOptions;
  readonly #clock: Clock;
  #state: LinkState = 'down';
  #transmitter?: SmppSession;
  #sessions: SmppSession[] = [];
  #inFlight = 0;
  #waiting: Slot[] = [];
  #attempt = 0;
  #reconnectTimer?: Timer;
  #enquireTimer?: Timer;
  #nextSendAt = 0;
  #lastError?: string;
  readonly #rate: LinkRate;
  /** Submits that timed out, by session: each holds its window slot until its late response. */
  readonly #late = new Map<SmppSession, Set<number>>();

  constructor(options: SmppClientOptions) {
    super();
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#rate = new LinkRate(options.endpoint.maxPerSecond);
  }

  /** Submits per second the link allows now (Infinity: no limit); below `tps` while the SMSC throttles. */
  get rate(): number {
    return this.#rate.current(this.#clock.now());
  }

  get state(): LinkState {
    return this.#state;
  }

  get windowInUse(): number {
    return this.#inFlight;
  }

  /** Output the SMSC has not taken yet, over the link's connections, and the most it has been; whether reading is held back. */
  get buffers(): { bufferedBytes: number; peakBufferedBytes: number; readingPaused: boolean } {
    return {
      bufferedBytes: this.#sessions.reduce((sum, s) => sum + s.bufferedBytes, 0),
      peakBufferedBytes: this.#sessions.reduce((max, s) => Math.max(max, s.peakBufferedBytes), 0),
      readingPaused: this.#sessions.some((s) => s.readingPaused),
    };
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  start(): void {
    if (this.#state === 'connecting' || this.#state === 'bound') return;
    void this.#connect();
  }

  /** Resolves once bound, or rejects after `timeoutMs`. */
  waitUntilBound(timeoutMs = 10_000): Promise<void> {
    if (this.#state === 'bound') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('state', onState);
        reject(new SmppLinkDownError(`not bound within ${timeoutMs} ms${this.#lastError ? `: ${this.#lastError}` : ''}`));
      }, timeoutMs);
      const onState = (state: LinkState) => {
        if (state !== 'bound') return;
        clearTimeout(timer);
        this.off('state', onState);
        resolve();
      };
      this.on('state', onState);
    });
  }

  /**
   * Submits one PDU once a window slot (and the pace) allows. Resolves with the
   * response whatever its status; rejects with SmppLinkDownError,
   * SmppSessionClosedError or SmppTimeoutError when the link fails under it.
   */
  async submit(fields: Record<string, unknown>): Promise<ResponsePdu> {
    const resubmits = this.#options.throttleResubmits ?? 5;
    for (let attempt = 0; ; attempt++) {
      const response = await this.#submitOnce(fields);
      if (response.command_status === CommandStatus.ESME_RINVBNDSTS) this.#onDrop('the SMSC answered ESME_RINVBNDSTS: rebinding');
      // Throttled: this submit waits its turn at the link's new pace instead of failing.
      if (response.command_status !== CommandStatus.ESME_RTHROTTLED || attempt >= resubmits) return response;
    }
  }

  /**
   * The whole link slows down, and pauses long enough for the SMSC's own count
   * (per second) to clear. Done before the slot is released, so that what
   * waits for the slot already goes at the new pace.
   */
  #slowDown(sentAt: number): void {
    const now = this.#clock.now();
    if (this.#rate.throttle(now, sentAt)) this.#nextSendAt = Math.max(this.#nextSendAt, now + (this.#options.throttlePauseMs ?? 1_000));
  }

  async #submitOnce(fields: Record<string, unknown>): Promise<ResponsePdu> {
    await this.#acquireSlot();
    let keepSlot = false;
    let session: SmppSession | undefined;
    try {
      await this.#pace();
      session = this.#transmitter;
      if (this.#state !== 'bound' || !session) throw new SmppLinkDownError();
      // An SMSC that does not read what we wrote gets no more until it does (or the link is dropped).
      await session.whenWritable().catch(() => {
        throw new SmppLinkDownError('the SMPP link closed while the SMSC was not reading');
      });
      if (this.#state !== 'bound' || session !== this.#transmitter) throw new SmppLinkDownError();
      const sentAt = this.#clock.now();
      const response = await session.request('submit_sm', fields, this.#options.responseTimeoutMs ?? 10_000);
      if (response.command_status === CommandStatus.ESME_RTHROTTLED) this.#slowDown(sentAt);
      return response;
    } catch (error) {
      // Still outstanding at the SMSC: the slot is freed by its late response, or by the end of this link.
      if (error instanceof SmppTimeoutError && error.sequence !== undefined && session && session === this.#transmitter) {
        let late = this.#late.get(session);
        if (!late) this.#late.set(session, (late = new Set()));
        late.add(error.sequence);
        keepSlot = true;
      }
      throw error;
    } finally {
      if (!keepSlot) this.#releaseSlot();
    }
  }

  /** Unbinds politely and stops reconnecting. */
  async stop(): Promise<void> {
    this.#setState('stopped');
    this.#reconnectTimer?.cancel();
    this.#enquireTimer?.cancel();
    this.#failWaiting(new SmppLinkDownError('the SMPP client was stopped'));
    await Promise.all(
      this.#sessions.map(async (session) => {
        await session.request('unbind', {}, 2_000).catch(() => undefined);
        await session.close();
      }),
    );
    this.#sessions = [];
  }

  async #connect(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#setState('connecting');
    const { endpoint } = this.#options;
    const commands = endpoint.mode === 'transceiver' ? ['bind_transceiver'] : ['bind_transmitter', 'bind_receiver'];
    const opened: SmppSession[] = [];
    try {
      for (const command of commands) {
        const session = await SmppSession.connect(
          { host: endpoint.host, port: endpoint.port, tls: endpoint.tls, rejectUnauthorized: this.#options.rejectUnauthorized },
          {
            responseTimeoutMs: this.#options.responseTimeoutMs ?? 10_000,
            clock: this.#clock,
            maxBufferedBytes: this.#options.maxBufferedBytes ?? DEFAULT_ESME_MAX_BUFFERED_BYTES,
          },
        );
        opened.push(session);
        this.#serve(session);
        const response = await session.request(command, {
          system_id: endpoint.systemId,
          password: endpoint.password,
          system_type: endpoint.systemType,
          interface_version: 0x34,
        });
        if (response.command_status !== CommandStatus.ESME_ROK) throw new SmppBindError(response.command_status);
      }
    } catch (error) {
      for (const session of opened) session.destroy();
      this.#lastError = (error as Error).message;
      this.#scheduleReconnect(this.#lastError);
      return;
    }
    if (this.#isStopped()) {
      for (const session of opened) session.destroy();
      return;
    }
    this.#sessions = opened;
    this.#transmitter = opened[0];
    this.#attempt = 0;
    this.#lastError = undefined;
    for (const session of opened) session.once('close', () => this.#onDrop('connection closed'));
    const transmitter = this.#transmitter!;
    transmitter.on('lateResponse', (pdu) => {
      if (this.#late.get(transmitter)?.delete(pdu.sequence_number)) this.#releaseSlot();
    });
    this.#setState('bound');
    this.#scheduleEnquireLink();
    this.#grantSlots();
  }

  #serve(session: SmppSession): void {
    session.on('request', async (pdu) => {
      if (session.answerLinkControl(pdu)) return;
      switch (pdu.command) {
        // "A subscriber is reachable again": it has no response, and a generic_nack would tell the SMSC we failed.
        case 'alert_notification':
          return;
        case 'deliver_sm':
        case 'data_sm': {
          if (!isMessage(pdu)) return;
          let status: number;
          try {
            status = await this.#options.onDeliver(pdu);
          } catch {
            status = CommandStatus.ESME_RX_T_APPN;
          }
          session.respond(pdu, { message_id: '' }, status);
          return;
        }
        default:
          session.genericNack(pdu.sequence_number, CommandStatus.ESME_RINVCMDID);
      }
    });
  }

  #onDrop(reason: string): void {
    if (this.#state !== 'bound') return;
    this.#enquireTimer?.cancel();
    for (const session of this.#sessions) session.destroy();
    this.#sessions = [];
    this.#transmitter = undefined;
    // Timed-out submits die with the link that carried them: their slots are free again.
    for (const late of this.#late.values()) this.#inFlight -= late.size;
    this.#late.clear();
    this.#lastError = reason;
    this.#scheduleReconnect(reason);
  }

  #scheduleReconnect(reason: string): void {
    if (this.#state === 'stopped') return;
    this.#setState('down', reason);
    this.#failWaiting(new SmppLinkDownError(`the SMPP link is down: ${reason}`));
    const delay = backoffDelay(this.#attempt++, this.#options.reconnect ?? DEFAULT_BACKOFF);
    this.#reconnectTimer = this.#clock.setTimeout(() => void this.#connect(), delay);
  }

  #scheduleEnquireLink(): void {
    const interval = this.#options.enquireLinkIntervalMs ?? 30_000;
    this.#enquireTimer = this.#clock.setTimeout(async () => {
      if (this.#state !== 'bound') return;
      try {
        await Promise.all(this.#sessions.map((s) => s.request('enquire_link', {}, this.#options.responseTimeoutMs ?? 10_000)));
        this.#scheduleEnquireLink();
      } catch (error) {
        // An SMSC that does not answer enquire_link is gone, whatever TCP says.
        this.#onDrop(error instanceof SmppSessionClosedError ? 'connection closed' : 'enquire_link unanswered');
      }
    }, interval);
  }

  #acquireSlot(): Promise<void> {
    if (this.#state !== 'bound') return Promise.reject(new SmppLinkDownError(this.#lastError ? `the SMPP link is down: ${this.#lastError}` : undefined));
    if (this.#inFlight < this.#options.endpoint.windowSize) {
      this.#inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  #releaseSlot(): void {
    this.#inFlight--;
    this.#grantSlots();
  }

  #grantSlots(): void {
    while (this.#state === 'bound' && this.#inFlight < this.#options.endpoint.windowSize && this.#waiting.length > 0) {
      this.#inFlight++;
      this.#waiting.shift()!.resolve();
    }
  }

  #failWaiting(error: Error): void {
    for (const slot of this.#waiting.splice(0)) slot.reject(error);
  }

  /** Spaces submits 1/rate apart, the rate being `tps` or less while the SMSC throttles. */
  async #pace(): Promise<void> {
    const now = this.#clock.now();
    const rate = this.#rate.current(now);
    this.#rate.sent(now);
    const at = Math.max(now, this.#nextSendAt);
    if (Number.isFinite(rate)) this.#nextSendAt = at + 1000 / rate;
    if (at > now) await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, at - now));
  }

  /** A method, not an inline check: the state changes across awaits, which narrowing cannot see. */
  #isStopped(): boolean {
    return this.#state === 'stopped';
  }

  #setState(state: LinkState, reason?: string): void {
    if (this.#state === state) return;
    if (this.#state === 'stopped') return;
    this.#state = state;
    this.emit('state', state, reason);
  }
}
