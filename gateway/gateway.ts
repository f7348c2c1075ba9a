import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { systemClock, type Clock, type Timer } from './clock';
import { GatewayMetrics } from './metrics';
import { Dispatcher, type DispatcherOptions, type NewOutboxItem, type OutboxRepository, type OutboxRow, type PartDelivery } from './outbox';
import { Router, smppRoute, type OutboxRenderer, type RoutingTable, type SmsRoute, type VoiceRoute } from './router';
import { describeEndpoint, SmppClient, type MessagePdu, type SmppClientOptions, type SmppEndpoint } from './smpp';
import { isMobileOriginated, readReceipt } from './sms/receipt-reader';
import { messageIdKey } from './receipt/message-id';
import { SmppSmsSender } from './sms/smpp-sms-sender';
import { decodeText, splitUdh } from './text';
import { ESM_CLASS } from './smpp/pdu';
import type { DeliveryOutcome } from './receipt';

/** Twilio's opt-out keywords: an MO that is one of these opts its sender out. */
const OPT_OUT_KEYWORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
/** Twilio's opt-in keywords: an MO that is one of these opts its sender back in. */
const OPT_IN_KEYWORDS = new Set(['START', 'YES', 'UNSTOP']);
/** TON 1: the address is an international number, written without its '+'. */
const TON_INTERNATIONAL = 1;

export interface DeliveryReport extends PartDelivery {
  outcome: DeliveryOutcome;
}

export interface GatewayEvents {
  /** A receipt matched one part of a sent SMS. */
  delivery: [report: DeliveryReport];
  sent: [row: OutboxRow, result: Record<string, unknown>];
  failed: [row: OutboxRow, error: Error];
  expired: [row: OutboxRow, reason: string];
  /** `from` is E.164 when the SMSC says the sender is international (TON 1), else exactly as sent (a national number, a name). */
  mo: [message: { from: string; to: string; text: string }];
}

export interface GatewayOptions {
  /**
   * The outbox, in the caller's storage so that a row commits with the record that caused it (the
   * verifier's VerifierStorage.outbox), or one of its own (gateway/outbox/sqlite-outbox.ts).
   */
  outbox: OutboxRepository;
  smpp?: SmppEndpoint;
  /** Extra SMS routes (e.g. a REST SMS API), by name. */
  smsRoutes?: SmsRoute[];
  voice?: VoiceRoute;
  routing?: RoutingTable;
  /** Renders stored payloads at send time (see OutboxRenderer). */
  render?: OutboxRenderer;
  clock?: Clock;
  logger?: Logger;
  metrics?: GatewayMetrics;
  dispatcher?: Omit<DispatcherOptions, 'store' | 'sender' | 'clock'>;
  smppClient?: Pick<SmppClientOptions, 'enquireLinkIntervalMs' | 'responseTimeoutMs' | 'reconnect' | 'throttleResubmits' | 'throttlePauseMs'>;
  /** How long a receipt for no known message is kept waiting for it (default 1 hour). */
  earlyReceiptTtlMs?: number;
}

/**
 * The carrier side: a durable outbox, a dispatcher, the routes (SMPP link,
 * REST APIs) and what comes back (receipts, MO). Nothing is sent that was not
 * first written to the outbox.
 */
export class Gateway extends EventEmitter<GatewayEvents> {
  readonly outbox: OutboxRepository;
  readonly dispatcher: Dispatcher;
  readonly smppClient?: SmppClient;
  readonly router: Router;
  readonly metrics: GatewayMetrics;
  readonly #clock: Clock;
  readonly #logger?: Logger;
  readonly #endpoint?: SmppEndpoint;
  readonly #earlyReceiptTtlMs: number;
  #pruneTimer?: Timer;
  #running = false;
  #unwatch?: () => void;

  constructor(options: GatewayOptions) {
    super();
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger;
    this.metrics = options.metrics ?? new GatewayMetrics();
    this.outbox = options.outbox;
    this.#endpoint = options.smpp;
    this.#earlyReceiptTtlMs = options.earlyReceiptTtlMs ?? 3_600_000;
    const smsRoutes = [...(options.smsRoutes ?? [])];
    if (options.smpp) {
      const endpoint = options.smpp;
      const client = new SmppClient({ endpoint, clock: this.#clock, onDeliver: (pdu) => this.#onDeliver(pdu), ...options.smppClient });
      client.on('state', (state, reason) => {
        this.metrics.linkUp.set(state === 'bound' ? 1 : 0);
        this.#logger?.info({ smsc: describeEndpoint(endpoint), state, reason }, 'SMPP link');
        // What waited for the link goes now, not at each message's own retry time.
        if (state === 'bound') void this.#wakeQueue();
      });
      this.smppClient = client;
      smsRoutes.unshift(smppRoute('smpp', new SmppSmsSender(client, endpoint)));
    }
    this.router = new Router(smsRoutes, options.voice, options.routing, options.render, (to) => this.outbox.isOptedOut(to));
    this.dispatcher = new Dispatcher({ ...options.dispatcher, store: this.outbox, sender: this.#instrumentedRouter(), clock: this.#clock });
    this.dispatcher.on('sent', (row, result, early) => {
      this.metrics.acknowledged.inc({ route: result.route });
      this.emit('sent', row, result.result);
      for (const delivery of early) this.#reportDelivery(delivery, delivery.delivery as DeliveryOutcome);
    });
    this.dispatcher.on('retry', (row, error) => {
      this.metrics.retried.inc({ route: row.kind });
      this.#logger?.warn({ outboxId: row.id, attempt: row.attempts, error: error.message }, 'send failed, will retry');
    });
    this.dispatcher.on('failed', (row, error) => {
      this.metrics.failed.inc({ route: row.kind });
      this.#logger?.warn({ outboxId: row.id, error: error.message }, 'send failed permanently');
      this.emit('failed', row, error);
    });
    this.dispatcher.on('expired', (row, reason) => {
      this.metrics.expired.inc();
      this.emit('expired', row, reason);
    });
  }

  /**
   * Adds an outbox item and wakes the dispatcher. A caller that writes the row in its own transaction
   * (the verifier) enqueues through its transaction's outbox instead, then calls `notify()` after the commit.
   */
  async enqueue(item: NewOutboxItem): Promise<string> {
    const id = await this.outbox.enqueue(item, this.#clock.now());
    this.notify();
    return id;
  }

  notify(): void {
    this.dispatcher.notify();
  }

  start(): void {
    this.smppClient?.start();
    this.dispatcher.start();
    this.#running = true;
    // Where other instances share the outbox, their rows wake this dispatcher too.
    this.#unwatch = this.outbox.watch?.(() => this.dispatcher.notify());
    void this.#pruneEarlyReceipts();
  }

  /** Drains what is in flight, then unbinds. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#unwatch?.();
    this.#pruneTimer?.cancel();
    await this.dispatcher.stop();
    await this.smppClient?.stop();
  }

  async #wakeQueue(): Promise<void> {
    try {
      const woken = await this.outbox.wakeWaiting('sms', this.#clock.now());
      if (woken > 0) this.#logger?.info({ rows: woken }, 'SMPP link back: queued messages due now');
    } catch (error) {
      this.#logger?.warn({ error: (error as Error).message }, 'could not wake the queued messages; they go at their retry time');
    }
    this.dispatcher.notify();
  }

  /** Receipts that never met their message leave the table, in small batches, once an hour old. */
  async #pruneEarlyReceipts(): Promise<void> {
    let dropped = 0;
    try {
      dropped = await this.outbox.pruneEarlyReceipts(this.#clock.now() - this.#earlyReceiptTtlMs, 500);
      if (dropped > 0) this.#logger?.info({ receipts: dropped }, 'unmatched receipts expired');
    } catch (error) {
      this.#logger?.warn({ error: (error as Error).message }, 'pruning unmatched receipts failed; trying again later');
    }
    if (!this.#running) return;
    this.#pruneTimer = this.#clock.setTimeout(() => void this.#pruneEarlyReceipts(), dropped === 500 ? 0 : Math.min(60_000, this.#earlyReceiptTtlMs));
  }

  #instrumentedRouter() {
    return {
      send: async (row: OutboxRow) => {
        this.metrics.submitted.inc({ route: row.kind });
        try {
          return await this.router.send(row);
        } finally {
          if (this.smppClient) this.metrics.windowInUse.set(this.smppClient.windowInUse);
        }
      },
    };
  }

  #reportDelivery(delivery: PartDelivery, outcome: DeliveryOutcome): void {
    this.metrics.delivered.inc({ outcome });
    this.emit('delivery', { ...delivery, outcome });
  }

  async #onDeliver(pdu: MessagePdu): Promise<number> {
    const receipt = readReceipt(pdu);
    if (receipt) {
      const key = messageIdKey(receipt.messageId, this.#endpoint?.msgIdType ?? 'string', 'receipt');
      // Answered once stored: a receipt the SMSC saw acknowledged is never lost with this process.
      const matched = await this.outbox.recordDelivery(key, receipt.outcome, receipt.stat, receipt.errorCode, this.#clock.now());
      if (matched) this.#reportDelivery(matched, receipt.outcome);
      else this.#logger?.debug({ messageId: receipt.messageId, stat: receipt.stat }, 'receipt ahead of its send: kept');
      return 0;
    }
    // Intermediate notifications, SME acknowledgements: taken, not counted as messages.
    if (!isMobileOriginated(pdu)) return 0;
    let userData = pdu.short_message && pdu.short_message.length > 0 ? pdu.short_message : (pdu.message_payload ?? Buffer.alloc(0));
    try {
      if ((pdu.esm_class ?? 0) & ESM_CLASS.UDHI) userData = splitUdh(userData).payload;
    } catch {
      // A broken UDH still leaves a message worth counting; read it all as text.
    }
    const source = pdu.source_addr ?? '';
    const from = pdu.source_addr_ton === TON_INTERNATIONAL ? `+${source.replace(/^\+/, '')}` : source;
    const message = { from, to: pdu.destination_addr ?? '', text: decodeText(userData, pdu.data_coding ?? 0) };
    this.metrics.mobileOriginated.inc();
    const keyword = message.text.trim().toUpperCase();
    if (OPT_OUT_KEYWORDS.has(keyword)) await this.outbox.recordOptOut(message.from, keyword, this.#clock.now());
    if (OPT_IN_KEYWORDS.has(keyword)) await this.outbox.clearOptOut(message.from);
    this.#logger?.info({ from: message.from, to: message.to, optOut: OPT_OUT_KEYWORDS.has(keyword) }, 'MO message');
    this.emit('mo', message);
    return 0;
  }
}
