import { EventEmitter } from 'node:events';
import { systemClock, type Clock, type Timer } from '../clock';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from '../retry/backoff';
import { CommandStatus, commandStatusName } from './command-status';
import { SmppSessionClosedError } from './errors';
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
}

export interface SmppClientEvents {
  state: [state: LinkState, reason?: string];
}

interface Slot {
  resolve(): void;
  reject(error: Error): void;
}

/** ESME_RX_T_APPN: the ESME could not take the message now; the SMSC retries it. */
const ESME_RX_T_APPN = 0x00000064;

/**
 * An ESME link that stays up: binds (transceiver, or transmitter + receiver),
 * keeps at most `windowSize` submits outstanding, paces them to `maxPerSecond`,
 * sends enquire_link and drops a link that stops answering, answers the SMSC's
 * own requests, and rebinds with backoff after any drop, until `stop()`.
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

  constructor(options: SmppClientOptions) {
    super();
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  get state(): LinkState {
    return this.#state;
  }

  get windowInUse(): number {
    return this.#inFlight;
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
    await this.#acquireSlot();
    try {
      await this.#pace();
      const session = this.#transmitter;
      if (this.#state !== 'bound' || !session) throw new SmppLinkDownError();
      return await session.request('submit_sm', fields, this.#options.responseTimeoutMs ?? 10_000);
    } finally {
      this.#releaseSlot();
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
          { responseTimeoutMs: this.#options.responseTimeoutMs ?? 10_000, clock: this.#clock },
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
    this.#setState('bound');
    this.#scheduleEnquireLink();
    this.#grantSlots();
  }

  #serve(session: SmppSession): void {
    session.on('request', async (pdu) => {
      if (session.answerLinkControl(pdu)) return;
      switch (pdu.command) {
        case 'deliver_sm':
        case 'data_sm': {
          if (!isMessage(pdu)) return;
          let status: number;
          try {
            status = await this.#options.onDeliver(pdu);
          } catch {
            status = ESME_RX_T_APPN;
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

  /** Spaces submits 1/maxPerSecond apart. */
  async #pace(): Promise<void> {
    const rate = this.#options.endpoint.maxPerSecond;
    if (rate <= 0) return;
    const now = this.#clock.now();
    const at = Math.max(now, this.#nextSendAt);
    this.#nextSendAt = at + 1000 / rate;
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
