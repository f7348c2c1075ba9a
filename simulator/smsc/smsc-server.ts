import { EventEmitter } from 'node:events';
import {
  CommandStatus,
  isBind,
  isMessage,
  SmppListener,
  type BindCommand,
  type CancelPdu,
  type MessagePdu,
  type ReplacePdu,
  type SubmitMultiPdu,
  type UnsuccessfulDestination,
  type Pdu,
  type ResponsePdu,
  type SmppProtocolError,
  type SmppSession,
  SmppSessionClosedError,
  SmppTimeoutError,
} from '../../gateway/smpp';
import { systemClock, type Clock, type Timer } from '../../gateway/clock';
import { BindGuard, defaultBindGuardSettings, type BindGuardSettings } from './bind-guard';
import { ReportThrottle } from './report-throttle';
import { VerigateError } from '../../gateway/errors';
import { Fifo } from '../../gateway/fifo';

export type BindMode = 'transmitter' | 'receiver' | 'transceiver';

export interface BindInfo {
  sessionId: number;
  systemId: string;
  mode: BindMode;
  remote: string;
  boundAt: number;
}

/**
 * Where receipts and MO go. `submitter`: a receipt to the bind that submitted its message (when that bind
 * cannot receive: a receiver of the same system_id from the same address, its pair), an MO to the bind that
 * last sent that handset a message from the address the MO is for; either falls back to any receiver of the
 * system_id. `any`: round robin over every receiver bind of the system_id, as SMSCs that spread by system_id do.
 */
export type ReceiptRouting = 'submitter' | 'any';

export interface SubmitResult {
  status: number;
  messageId?: string;
  /** submit_multi: the destinations not taken, each with its status. */
  unsuccess?: UnsuccessfulDestination[];
}

export interface QueryResult {
  messageId: string;
  state: number;
  errorCode: number;
  finalDate?: string;
}

/**
 * What the SMSC asks of the rest of the simulator. It knows nothing of storage
 * or handsets; the glue in message-center.ts answers these.
 */
export interface SmscHandlers {
  /** ESME_ROK, or the one status that refuses a bind whatever was wrong (ESME_RINVPASWD). */
  authenticate(systemId: string, password: string): number;
  /** A submit_sm or data_sm from a bound transmitter. The message must be stored before this returns. */
  submit(pdu: MessagePdu, bind: BindInfo): SubmitResult;
  query?(messageId: string, bind: BindInfo): QueryResult | undefined;
  /** submit_multi; without it the command is not served (generic_nack ESME_RINVCMDID), likewise the two below. */
  submitMulti?(pdu: SubmitMultiPdu, bind: BindInfo): SubmitResult;
  /** cancel_sm: the status to answer. */
  cancel?(pdu: CancelPdu, bind: BindInfo): number;
  /** replace_sm: the status to answer. */
  replace?(pdu: ReplacePdu, bind: BindInfo): number;
}

export interface SmscServerOptions {
  host?: string;
  port: number;
  handlers: SmscHandlers;
  clock?: Clock;
  /** The system_id the SMSC names itself in bind responses. */
  systemId?: string;
  /** A connection that has not bound by then is closed (SMPP's session_init_timer). */
  bindTimeoutMs?: number;
  /** A bound session silent for this long is closed (SMPP's inactivity_timer). */
  inactivityTimeoutMs?: number;
  responseTimeoutMs?: number;
  /** Open connections at most (default 1,000); one more is closed at once. */
  maxConnections?: number;
  /** Open connections from one IP address at most (default 50). */
  maxConnectionsPerAddress?: number;
  /** A connection whose unsent output passes this many bytes is not read until it drains (default 64 KiB). */
  maxBufferedBytes?: number;
  /** Failed binds that lock a source address out, and for how long. */
  bindGuard?: Partial<BindGuardSettings>;
  /** deliver_sm (receipts, MO) outstanding per session at most (default 10); more wait for a response. */
  deliverWindow?: number;
  /** Refusals (caps, lockouts) are reported once per source address and reason per interval (default 60 s). */
  refusalReportIntervalMs?: number;
  /** Which receiver bind gets a receipt or an MO (default `submitter`). */
  receiptRouting?: ReceiptRouting;
}

/** A bind whose credentials were checked and were wrong. The password is never reported. */
export interface BindFailure {
  remote: string;
  systemId: string;
  /** This failure locked the source address out. */
  lockedOut: boolean;
}

export type RefusalReason = 'too-many-connections' | 'too-many-from-address' | 'locked-out';

/** Connections or binds refused without looking at them, reported at most once per address, reason and interval. */
export interface RefusalReport {
  address: string;
  reason: RefusalReason;
  /** Refusals this report covers (itself and those held back since the last one). */
  count: number;
}

export interface SmscServerEvents {
  bound: [bind: BindInfo];
  unbound: [bind: BindInfo];
  protocolError: [error: SmppProtocolError, remote: string];
  bindFailed: [failure: BindFailure];
  refused: [report: RefusalReport];
}

/** What the SMSC holds per connection, for inspection. */
export interface ConnectionInfo {
  remote: string;
  systemId?: string;
  bufferedBytes: number;
  peakBufferedBytes: number;
  readingPaused: boolean;
  /** deliver_sm sent and not answered yet, and those waiting for a slot in the window. */
  deliversInFlight: number;
  deliversWaiting: number;
}

const modes: Record<BindCommand, BindMode> = {
  bind_transmitter: 'transmitter',
  bind_receiver: 'receiver',
  bind_transceiver: 'transceiver',
};

interface Connection {
  session: SmppSession;
  bind?: BindInfo;
  connectedAt: number;
  /** When the peer last sent a request (or connected). */
  lastActivity: number;
  /** A bind refusal held back during a lockout. */
  delayedRefusal?: Timer;
  deliversInFlight: number;
  /** deliver_sm waiting for a slot in the window, first come first served. */
  deliversWaiting: Fifo<{ resolve(): void; reject(error: Error): void }>;
  /** deliver_sm that timed out: each holds its slot until its late response arrives. */
  lateDelivers: Set<number>;
}

/** The simulator's SMPP 3.4 server: bind states, request dispatch, and deliver_sm to bound receivers. */
export class SmscServer extends EventEmitter<SmscServerEvents> {
  readonly #listener: SmppListener;
  readonly #options: SmscServerOptions;
  readonly #clock: Clock;
  readonly #connections = new Set<Connection>();
  /** Bound connections by sessionId: a receipt's submitter is found without a walk over every connection. */
  readonly #bySession = new Map<number, Connection>();
  #nextSessionId = 1;
  #idleSweep?: Timer;
  #roundRobin = 0;
  readonly #bindGuard: BindGuard;
  readonly #refusals: ReportThrottle;

  constructor(options: SmscServerOptions) {
    super();
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#bindGuard = new BindGuard(this.#clock, { ...defaultBindGuardSettings, ...options.bindGuard });
    this.#refusals = new ReportThrottle(this.#clock, options.refusalReportIntervalMs ?? 60_000);
    this.#listener = new SmppListener({
      host: options.host,
      port: options.port,
      responseTimeoutMs: options.responseTimeoutMs ?? 10_000,
      clock: this.#clock,
      maxConnections: options.maxConnections ?? 1_000,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 50,
      maxBufferedBytes: options.maxBufferedBytes ?? 64 * 1024,
      onSession: (session) => this.#accept(session),
      onRefused: (address, reason) => this.#reportRefusal(address, reason),
    });
  }

  listen(): Promise<number> {
    return this.#listener.listen();
  }

  /** Bound sessions, each with how many deliver_sm it has outstanding (its window in use, timed-out ones awaiting a late response included). */
  binds(): (BindInfo & { windowInUse: number })[] {
    return [...this.#connections].flatMap((c) => (c.bind ? [{ ...c.bind, windowInUse: c.deliversInFlight }] : []));
  }

  connections(): ConnectionInfo[] {
    return [...this.#connections].map(({ session, bind, deliversInFlight, deliversWaiting }) => ({
      remote: session.remoteAddress,
      systemId: bind?.systemId,
      bufferedBytes: session.bufferedBytes,
      peakBufferedBytes: session.peakBufferedBytes,
      readingPaused: session.readingPaused,
      deliversInFlight,
      deliversWaiting: deliversWaiting.length,
    }));
  }

  /** Whether a receiver or transceiver is bound, for `systemId` or for anyone. */
  hasReceiver(systemId?: string): boolean {
    for (const c of this.#connections) if (canReceive(c, systemId)) return true;
    return false;
  }

  /**
   * Sends a deliver_sm to a bound receiver or transceiver (of `systemId`, if
   * given; see `receiver` for which) and resolves with its response. Rejects
   * when none is bound, or the session closes or times out first.
   */
  deliver(systemId: string | undefined, fields: Record<string, unknown>, submitter?: number): Promise<ResponsePdu> {
    const target = this.#pick(systemId, submitter);
    if (!target) return Promise.reject(new NoReceiverError(systemId));
    return this.#deliverInWindow(target, fields);
  }

  /**
   * Picks one bound receiver and pins it, so that every part of a
   * concatenated message reaches the same session. Under `submitter` routing
   * that is the session `submitter` (a sessionId) when it can receive, else a
   * receiver of the same system_id from its address; otherwise, and under
   * `any`, each receiver of the system_id in turn.
   */
  receiver(systemId?: string, submitter?: number): { systemId: string; deliver(fields: Record<string, unknown>): Promise<ResponsePdu> } | undefined {
    const target = this.#pick(systemId, submitter);
    return target && { systemId: target.bind!.systemId, deliver: (fields) => this.#deliverInWindow(target, fields) };
  }

  /** `deliver` without the pinned handle: one receipt's way, with no array or closure made for it when its submitter can receive. */
  #pick(systemId: string | undefined, submitter: number | undefined): Connection | undefined {
    const bySubmitter = (this.#options.receiptRouting ?? 'submitter') === 'submitter' && submitter !== undefined;
    if (bySubmitter) {
      const own = this.#bySession.get(submitter);
      if (own && canReceive(own, systemId)) {
        this.#roundRobin++; // as a pick among one
        return own;
      }
    }
    const receivers = this.#receivers(systemId);
    if (receivers.length === 0) return undefined;
    const preferred = bySubmitter ? this.#preferred(receivers, submitter) : [];
    const candidates = preferred.length > 0 ? preferred : receivers;
    return candidates[this.#roundRobin++ % candidates.length]!;
  }

  /** The submitting session if it receives; else the receivers from its address (a transmitter's receiver pair). */
  #preferred(receivers: Connection[], sessionId: number): Connection[] {
    const own = receivers.filter((c) => c.bind!.sessionId === sessionId);
    if (own.length > 0) return own;
    const submitter = [...this.#connections].find((c) => c.bind?.sessionId === sessionId);
    if (!submitter) return [];
    const address = addressOf(submitter.session.remoteAddress);
    return receivers.filter((c) => addressOf(c.session.remoteAddress) === address);
  }

  /** At most `deliverWindow` deliver_sm outstanding on a session; a freed slot goes to the longest waiting. */
  async #deliverInWindow(connection: Connection, fields: Record<string, unknown>): Promise<ResponsePdu> {
    if (connection.deliversInFlight >= (this.#options.deliverWindow ?? 10)) {
      await new Promise<void>((resolve, reject) => connection.deliversWaiting.push({ resolve, reject }));
    } else {
      connection.deliversInFlight++;
    }
    let keepSlot = false;
    try {
      return await connection.session.request('deliver_sm', fields);
    } catch (error) {
      // Unanswered is not gone: the ESME may still be working on it, so it keeps its slot until its late response or the session's end.
      if (error instanceof SmppTimeoutError && error.sequence !== undefined) {
        connection.lateDelivers.add(error.sequence);
        keepSlot = true;
      }
      throw error;
    } finally {
      if (!keepSlot) this.#releaseDeliverSlot(connection);
    }
  }

  #releaseDeliverSlot(connection: Connection): void {
    const next = connection.deliversWaiting.shift();
    if (next) next.resolve(); // the slot passes on as it is
    else connection.deliversInFlight--;
  }

  /** Unbinds every bound ESME politely, then closes the port. */
  async close(): Promise<void> {
    this.#idleSweep?.cancel();
    await Promise.allSettled(
      [...this.#connections].map(async (c) => {
        if (c.bind) await c.session.request('unbind', {}, 1_000).catch(() => undefined);
        await c.session.close();
      }),
    );
    await this.#listener.close();
  }

  #receivers(systemId?: string): Connection[] {
    return [...this.#connections].filter((c) => canReceive(c, systemId));
  }

  #accept(session: SmppSession): void {
    const now = this.#clock.now();
    const connection: Connection = { session, connectedAt: now, lastActivity: now, deliversInFlight: 0, deliversWaiting: new Fifo(), lateDelivers: new Set() };
    this.#connections.add(connection);
    this.#armIdleSweep();
    session.on('request', (pdu) => {
      connection.lastActivity = this.#clock.now();
      try {
        this.#dispatch(connection, pdu);
      } catch {
        // A handler failure is ours, not the ESME's: answer it and keep serving.
        session.respond(pdu, {}, CommandStatus.ESME_RSYSERR);
      }
    });
    session.on('protocolError', (error) => this.emit('protocolError', error, session.remoteAddress));
    session.on('lateResponse', (pdu) => {
      if (connection.lateDelivers.delete(pdu.sequence_number)) this.#releaseDeliverSlot(connection);
    });
    session.once('close', () => {
      connection.delayedRefusal?.cancel();
      for (const waiting of connection.deliversWaiting.drain()) waiting.reject(new SmppSessionClosedError('deliver_sm'));
      this.#connections.delete(connection);
      if (connection.bind) {
        this.#bySession.delete(connection.bind.sessionId);
        this.emit('unbound', connection.bind);
      }
    });
  }

  /**
   * One timer for all connections closes those that never bound in time
   * (session_init_timer, counted from the connection whatever it sends
   * meanwhile) or went silent (inactivity_timer), instead of a timer reset on
   * every PDU.
   */
  #armIdleSweep(): void {
    if (this.#idleSweep || this.#connections.size === 0) return;
    const bindTimeout = this.#options.bindTimeoutMs ?? 30_000;
    const inactivityTimeout = this.#options.inactivityTimeoutMs ?? 300_000;
    const every = Math.min(5_000, Math.max(10, Math.min(bindTimeout, inactivityTimeout) / 4));
    this.#idleSweep = this.#clock.setTimeout(() => {
      this.#idleSweep = undefined;
      const now = this.#clock.now();
      for (const c of this.#connections) {
        const expired = c.bind ? now - c.lastActivity >= inactivityTimeout : now - c.connectedAt >= bindTimeout;
        if (expired) c.session.destroy();
      }
      this.#armIdleSweep();
    }, every);
  }

  #dispatch(connection: Connection, pdu: Pdu): void {
    const { session } = connection;
    if (isBind(pdu)) return this.#bind(connection, pdu);
    if (session.answerLinkControl(pdu)) return;
    switch (pdu.command) {
      case 'submit_sm':
      case 'data_sm': {
        const bind = connection.bind;
        if (!bind || bind.mode === 'receiver') {
          session.respond(pdu, {}, CommandStatus.ESME_RINVBNDSTS);
          return;
        }
        if (!isMessage(pdu)) return;
        const result = this.#options.handlers.submit(pdu, bind);
        session.respond(pdu, { message_id: result.messageId ?? '' }, result.status);
        return;
      }
      case 'submit_multi':
      case 'cancel_sm':
      case 'replace_sm':
        return this.#dispatchPendingOperation(connection, pdu);
      case 'query_sm': {
        const bind = connection.bind;
        if (!bind || bind.mode === 'receiver') {
          session.respond(pdu, {}, CommandStatus.ESME_RINVBNDSTS);
          return;
        }
        const found = this.#options.handlers.query?.(String(pdu['message_id'] ?? ''), bind);
        if (!found) {
          session.respond(pdu, {}, CommandStatus.ESME_RINVMSGID);
          return;
        }
        session.respond(pdu, {
          message_id: found.messageId,
          final_date: found.finalDate ?? '',
          message_state: found.state,
          error_code: found.errorCode,
        });
        return;
      }
      default:
        // deliver_sm, broadcast_sm … are not served by this SMSC.
        session.genericNack(pdu.sequence_number, CommandStatus.ESME_RINVCMDID);
    }
  }

  /** submit_multi, cancel_sm and replace_sm: from a transmitter or transceiver, when the handlers serve them. */
  #dispatchPendingOperation(connection: Connection, pdu: Pdu): void {
    const { session, bind } = connection;
    const { submitMulti, cancel, replace } = this.#options.handlers;
    const answer =
      pdu.command === 'submit_multi' && submitMulti
        ? (b: BindInfo) => {
            const result = submitMulti(pdu as unknown as SubmitMultiPdu, b);
            session.respond(pdu, { message_id: result.messageId ?? '', unsuccess_sme: result.unsuccess ?? [] }, result.status);
          }
        : pdu.command === 'cancel_sm' && cancel
          ? (b: BindInfo) => session.respond(pdu, {}, cancel(pdu as unknown as CancelPdu, b))
          : pdu.command === 'replace_sm' && replace
            ? (b: BindInfo) => session.respond(pdu, {}, replace(pdu as unknown as ReplacePdu, b))
            : undefined;
    if (!answer) {
      session.genericNack(pdu.sequence_number, CommandStatus.ESME_RINVCMDID);
      return;
    }
    if (!bind || bind.mode === 'receiver') {
      session.respond(pdu, {}, CommandStatus.ESME_RINVBNDSTS);
      return;
    }
    answer(bind);
  }

  #bind(connection: Connection, pdu: Pdu & { command: BindCommand; system_id: string; password: string }): void {
    const { session } = connection;
    const own = { system_id: this.#options.systemId ?? 'verigate' };
    if (connection.bind) {
      session.respond(pdu, own, CommandStatus.ESME_RALYBND);
      return;
    }
    const address = addressOf(session.remoteAddress);
    if (this.#bindGuard.lockedOut(address)) {
      // Not checked at all, and answered like a wrong password: a locked-out guesser learns nothing.
      this.#reportRefusal(address, 'locked-out');
      if (connection.delayedRefusal) {
        session.respond(pdu, own, CommandStatus.ESME_RINVPASWD);
        return;
      }
      connection.delayedRefusal = this.#clock.setTimeout(() => {
        connection.delayedRefusal = undefined;
        session.respond(pdu, own, CommandStatus.ESME_RINVPASWD);
      }, this.#bindGuard.settings.refusalDelayMs);
      return;
    }
    const status = this.#options.handlers.authenticate(pdu.system_id, pdu.password);
    if (status !== CommandStatus.ESME_ROK) {
      const lockedOut = this.#bindGuard.recordFailure(address);
      this.emit('bindFailed', { remote: session.remoteAddress, systemId: pdu.system_id.slice(0, 16), lockedOut });
      session.respond(pdu, own, status);
      return;
    }
    this.#bindGuard.recordSuccess(address);
    connection.bind = {
      sessionId: this.#nextSessionId++,
      systemId: pdu.system_id,
      mode: modes[pdu.command],
      remote: session.remoteAddress,
      boundAt: this.#clock.now(),
    };
    this.#bySession.set(connection.bind.sessionId, connection);
    session.respond(pdu, own);
    this.emit('bound', connection.bind);
  }

  #reportRefusal(address: string, reason: RefusalReason): void {
    const count = this.#refusals.report(`${reason}|${address}`);
    if (count !== undefined) this.emit('refused', { address, reason, count });
  }
}

/** Bound as a receiver or transceiver (of `systemId`, if given) and still open. */
function canReceive(c: Connection, systemId: string | undefined): boolean {
  return c.bind !== undefined && c.bind.mode !== 'transmitter' && !c.session.closed && (systemId === undefined || c.bind.systemId === systemId);
}

/** The IP address of `host:port` (IPv6 included). */
function addressOf(remote: string): string {
  return remote.slice(0, remote.lastIndexOf(':'));
}

export class NoReceiverError extends VerigateError {
  override readonly name = 'NoReceiverError';
  readonly code = 'SMSC_NO_RECEIVER';
  constructor(systemId?: string) {
    super(systemId ? `no receiver bound for system_id ${systemId}` : 'no receiver bound');
  }
}
