import { randomBytes, randomFillSync } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { CommandStatus, ESM_CLASS, REGISTERED_DELIVERY, type MessagePdu } from '../gateway/smpp';
import { formatReceipt, MessageState, statForState } from '../gateway/receipt';
import { encodeText, segmentText } from '../gateway/text';
import type { Clock, Timer } from '../gateway/clock';
import type { Behaviours } from './behaviours';
import type { HandsetHub } from './handsets/handset-hub';
import type { MessageStore, Outcome, Segment, StoredMessage } from './store/message-store';
import { decodeSubmittedPart, PartRejectedError, type SubmittedPart } from './smsc/submitted-part';
import { ThroughputLimiter } from './smsc/throughput-limiter';
import type { BindInfo, QueryResult, SmscServer, SubmitResult } from './smsc/smsc-server';
import type { NetworkEventSink } from './console/event-sink';

const RECEIPT_RETRY_MS = 5_000;
/** MAP error 27, absent subscriber, as SMSCs report it in err: and network_error_code. */
const ERR_ABSENT_SUBSCRIBER = 27;
const ERR_UNDELIVERABLE = 1;
const NETWORK_TYPE_GSM = 3;

const outcomeState: Record<Outcome, { state: number; error: number }> = {
  delivered: { state: MessageState.DELIVERED, error: 0 },
  undeliverable: { state: MessageState.UNDELIVERABLE, error: ERR_UNDELIVERABLE },
  expired: { state: MessageState.EXPIRED, error: 0 },
  absent: { state: MessageState.UNDELIVERABLE, error: ERR_ABSENT_SUBSCRIBER },
};

export function newMessageSid(): string {
  return `SM${randomHex(16)}`;
}

/** Ids are drawn from a pool refilled 4 KiB at a time: one fill serves hundreds of ids, not one each. */
const randomPool = Buffer.alloc(4096);
let randomOffset = randomPool.length;

function randomHex(bytes: number): string {
  if (randomOffset + bytes > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  randomOffset += bytes;
  return randomPool.toString('hex', randomOffset - bytes, randomOffset);
}

export interface MessageCenterDeps {
  store: MessageStore;
  behaviours: Behaviours;
  hub: HandsetHub;
  clock: Clock;
  smsc: () => SmscServer;
  /** The console's event stream (messages created and changed). */
  events?: NetworkEventSink;
}

/**
 * The simulator's SMS core, between the SMSC, the store and the handsets:
 * accepts parts (stored before they are acknowledged), reassembles them,
 * hands whole texts to handsets, sends receipts when each part's outcome is
 * due, and carries handsets' own messages (MO) to bound ESMEs.
 */
export interface MessageCenterEvents {
  /** A part reached its outcome (delivered, undeliverable, expired, absent) and its state is stored. */
  outcome: [segment: Segment];
}

export type TextAcceptance =
  | { accepted: true; segment: Segment; message: StoredMessage }
  | { accepted: false; status: number; reason: string };

export class MessageCenter extends EventEmitter<MessageCenterEvents> {
  readonly #deps: MessageCenterDeps;
  readonly #limiter: ThroughputLimiter;
  readonly #receiptsInFlight = new Set<string>();
  readonly #due: Segment[] = [];
  #outcomeTimer?: Timer;
  #outcomeTimerAt = Infinity;
  readonly #receiptsSent: string[] = [];
  readonly #moInFlight = new Set<string>();

  constructor(deps: MessageCenterDeps) {
    super();
    this.#deps = deps;
    this.#limiter = new ThroughputLimiter(deps.clock, () => deps.behaviours.settings.maxSubmitsPerSecond);
  }

  /** Re-arms what a previous run left unfinished: outcomes not yet reached, receipts and MO not yet sent. */
  restore(): void {
    for (const segment of this.#deps.store.unfinishedSegments()) this.#scheduleOutcome(segment);
  }

  /** The SMSC's submit handler: answers with the status to put in submit_sm_resp. */
  submit(pdu: MessagePdu, bind: BindInfo): SubmitResult {
    if (!this.#limiter.admit()) return { status: CommandStatus.ESME_RTHROTTLED };
    let part: SubmittedPart;
    try {
      part = decodeSubmittedPart(pdu);
    } catch (error) {
      if (error instanceof PartRejectedError) return { status: error.status };
      throw error;
    }
    const refusal = this.#refusal(part.destination);
    if (refusal !== undefined) return { status: refusal };
    const segment = this.#accept(part, bind.systemId);
    return { status: CommandStatus.ESME_ROK, messageId: segment.messageId };
  }

  /**
   * A whole text from another entrance than SMPP (the REST SMS API): the same
   * behaviours, store, handset delivery and outcome as a submit_sm, as one part.
   */
  acceptText(input: { source: string; destination: string; text: string; systemId: string }): TextAcceptance {
    const refusal = this.#refusal(input.destination);
    if (refusal !== undefined) return { accepted: false, status: refusal, reason: this.#deps.behaviours.for(input.destination).sms };
    const { dataCoding } = encodeText(input.text);
    const part: SubmittedPart = { source: input.source, destination: input.destination, dataCoding, text: input.text, registeredDelivery: 0 };
    const segment = this.#accept(part, input.systemId);
    const message = this.#deps.store.message(this.#deps.store.segment(segment.messageId)?.assembledInto ?? '');
    if (!message) throw new Error(`message for part ${segment.messageId} was not stored`);
    return { accepted: true, segment, message };
  }

  query(messageId: string, bind: BindInfo): QueryResult | undefined {
    const segment = this.#deps.store.segment(messageId);
    if (!segment || segment.systemId !== bind.systemId) return undefined;
    return {
      messageId,
      state: segment.state,
      errorCode: segment.errorCode,
      finalDate: segment.doneAt ? smppTime(segment.doneAt) : '',
    };
  }

  /** A message from a handset (MO): kept, then sent to a bound receiver as deliver_sm. */
  sendFromHandset(from: string, to: string, text: string): StoredMessage {
    const encoded = encodeText(text);
    const message: StoredMessage = {
      id: newMessageSid(),
      direction: 'mo',
      source: from,
      destination: to,
      body: text,
      dataCoding: encoded.dataCoding,
      parts: segmentText(text, { method: 'udh', ref: 0 }).parts.length,
      systemId: null,
      status: 'queued',
      createdAt: this.#deps.clock.now(),
      pushedAt: null,
    };
    this.#deps.store.insertMessage(message);
    this.#deps.events?.messageCreated(message.id);
    // To another number of this network: its handsets get it too (an ESME that binds still gets it as MO).
    if (/^\+\d+$/.test(message.destination)) this.#push(message);
    void this.#deliverMobileOriginated(message);
    return message;
  }

  /** A receiver bound: what waited for one goes out now. */
  onBound(bind: BindInfo): void {
    if (bind.mode === 'transmitter') return;
    for (const segment of this.#deps.store.pendingReceipts(bind.systemId)) void this.#sendReceipt(segment);
    for (const message of this.#deps.store.queuedMobileOriginated()) void this.#deliverMobileOriginated(message);
  }

  #refusal(destination: string): number | undefined {
    switch (this.#deps.behaviours.for(destination).sms) {
      case 'rejected':
        return CommandStatus.ESME_RINVDSTADR;
      case 'throttled':
        return CommandStatus.ESME_RTHROTTLED;
      case 'queue-full':
        return CommandStatus.ESME_RMSGQFUL;
      default:
        return undefined;
    }
  }

  #accept(part: SubmittedPart, systemId: string): Segment {
    const { store, behaviours, clock } = this.#deps;
    const now = clock.now();
    const behaviour = behaviours.for(part.destination).sms;
    const outcome: Outcome = behaviour === 'deliver' ? 'delivered' : (behaviour as Outcome);
    const segment: Segment = {
      messageId: randomHex(8),
      systemId,
      source: part.source,
      destination: part.destination,
      body: part.text,
      dataCoding: part.dataCoding,
      concatKey: part.concat ? [systemId, part.source, part.destination, part.concat.ref, part.concat.total].join('|') : null,
      concatTotal: part.concat?.total ?? null,
      concatSeq: part.concat?.seq ?? null,
      registeredDelivery: part.registeredDelivery,
      outcome,
      state: MessageState.ENROUTE,
      errorCode: 0,
      submittedAt: now,
      dueAt: now + behaviours.receiptDelayFor(part.destination),
      doneAt: null,
      receipt: 'none',
      assembledInto: null,
    };
    const wholeOf = (parts: Segment[]): StoredMessage => ({
      id: newMessageSid(),
      direction: 'mt',
      source: segment.source,
      destination: segment.destination,
      body: parts.map((p) => p.body).join(''),
      dataCoding: segment.dataCoding,
      parts: parts.length,
      systemId,
      status: outcome,
      createdAt: now,
      pushedAt: null,
    });
    const whole = store.transaction(() => {
      if (!segment.concatKey) {
        // A single part is its own whole message: that row first, so the part is written already assembled.
        const message = wholeOf([segment]);
        segment.assembledInto = message.id;
        store.insertMessage(message);
        store.insertSegment(segment);
        return message;
      }
      store.insertSegment(segment);
      const parts = this.#completeParts(segment.concatKey, segment.concatTotal ?? 1);
      if (!parts) return undefined;
      const message = wholeOf(parts);
      store.insertMessage(message, parts.map((p) => p.messageId));
      return message;
    });
    if (whole) this.#deps.events?.messageCreated(whole.id);
    if (whole && outcome === 'delivered') this.#push(whole);
    this.#scheduleOutcome(segment);
    return segment;
  }

  /** All parts of a concatenated message, one per sequence number, once every one has arrived. */
  #completeParts(concatKey: string, total: number): Segment[] | undefined {
    const bySeq = new Map<number, Segment>();
    for (const part of this.#deps.store.partialSegments(concatKey)) {
      if (!bySeq.has(part.concatSeq ?? 0)) bySeq.set(part.concatSeq ?? 0, part);
    }
    if (bySeq.size < total) return undefined;
    return [...bySeq.entries()].sort(([a], [b]) => a - b).map(([, part]) => part);
  }

  #push(message: StoredMessage): void {
    const delivered = this.#deps.hub.send(message.destination, {
      type: 'sms',
      id: message.id,
      from: message.source,
      to: message.destination,
      text: message.body,
      at: new Date(message.createdAt).toISOString(),
    });
    if (delivered > 0 && this.#deps.store.markPushed(message.id, this.#deps.clock.now())) this.#deps.events?.messageUpdated(message.id);
  }

  /** A handset socket opened: it receives what arrived while none was open. */
  flushInbox(number: string): void {
    for (const message of this.#deps.store.unpushed(number)) this.#push(message);
  }

  /**
   * Parts wait for their outcome in one queue, earliest first, under one
   * timer: a burst of parts reaches its outcomes in one transaction instead
   * of one timer and one commit each.
   */
  #scheduleOutcome(segment: Segment): void {
    const due = this.#due;
    let at = due.length;
    while (at > 0 && due[at - 1]!.dueAt > segment.dueAt) at--;
    due.splice(at, 0, segment);
    this.#armOutcomes();
  }

  #armOutcomes(): void {
    const first = this.#due[0];
    if (!first || (this.#outcomeTimer && this.#outcomeTimerAt <= first.dueAt)) return;
    this.#outcomeTimer?.cancel();
    this.#outcomeTimerAt = first.dueAt;
    this.#outcomeTimer = this.#deps.clock.setTimeout(() => {
      this.#outcomeTimer = undefined;
      this.#outcomeTimerAt = Infinity;
      this.#reachDueOutcomes();
    }, Math.max(0, first.dueAt - this.#deps.clock.now()));
  }

  #reachDueOutcomes(): void {
    const now = this.#deps.clock.now();
    let count = 0;
    while (count < this.#due.length && this.#due[count]!.dueAt <= now) count++;
    const done = this.#due.splice(0, count).map((segment) => {
      const { state, error } = outcomeState[segment.outcome];
      const requested = segment.registeredDelivery & REGISTERED_DELIVERY.MASK;
      const wantsReceipt =
        requested === REGISTERED_DELIVERY.SUCCESS_OR_FAILURE ||
        (requested === REGISTERED_DELIVERY.FAILURE_ONLY && segment.outcome !== 'delivered');
      return { ...segment, state, errorCode: error, doneAt: now, receipt: wantsReceipt ? ('pending' as const) : ('none' as const) };
    });
    try {
      this.#deps.store.transaction(() => {
        for (const segment of done) this.#deps.store.finishSegment(segment.messageId, segment.state, segment.errorCode, now, segment.receipt);
      });
    } catch {
      return; // The store was closed under us (shutdown); restore() picks them up next start.
    }
    for (const segment of done) {
      this.emit('outcome', segment);
      if (segment.receipt === 'pending') void this.#sendReceipt(segment);
    }
    this.#armOutcomes();
  }

  /** Receipts answered by the ESME are marked sent together, once per event-loop turn. */
  #markReceiptSent(messageId: string): void {
    this.#receiptsSent.push(messageId);
    if (this.#receiptsSent.length > 1) return;
    setImmediate(() => {
      const sent = this.#receiptsSent.splice(0);
      try {
        this.#deps.store.transaction(() => {
          for (const id of sent) this.#deps.store.setReceipt(id, 'sent');
        });
        for (const id of sent) this.#deps.events?.partUpdated(id);
      } catch {
        // Closed store: those receipts stay 'pending' and go again after a restart (at least once).
      }
    });
  }

  async #sendReceipt(segment: Segment): Promise<void> {
    if (this.#receiptsInFlight.has(segment.messageId)) return;
    const smsc = this.#deps.smsc();
    if (!smsc.hasReceiver(segment.systemId)) return; // Kept 'pending' until a receiver binds.
    this.#receiptsInFlight.add(segment.messageId);
    try {
      const response = await smsc.deliver(segment.systemId, receiptPdu(segment));
      if (response.command_status === CommandStatus.ESME_ROK) {
        this.#markReceiptSent(segment.messageId);
        return;
      }
      this.#retryReceipt(segment);
    } catch {
      this.#retryReceipt(segment);
    } finally {
      this.#receiptsInFlight.delete(segment.messageId);
    }
  }

  #retryReceipt(segment: Segment): void {
    this.#deps.clock.setTimeout(() => {
      const current = this.#deps.store.segment(segment.messageId);
      if (current?.receipt === 'pending') void this.#sendReceipt(current);
    }, RECEIPT_RETRY_MS);
  }

  async #deliverMobileOriginated(message: StoredMessage): Promise<void> {
    const receiver = this.#deps.smsc().receiver();
    if (this.#moInFlight.has(message.id) || !receiver) return;
    this.#moInFlight.add(message.id);
    try {
      const segmented = segmentText(message.body, { method: 'udh', ref: randomBytes(1)[0] ?? 0 });
      for (const part of segmented.parts) {
        const response = await receiver.deliver({
          source_addr_ton: 1,
          source_addr_npi: 1,
          source_addr: message.source.replace(/^\+/, ''),
          dest_addr_ton: /^\+?\d+$/.test(message.destination) ? 1 : 0,
          dest_addr_npi: 1,
          destination_addr: message.destination.replace(/^\+/, ''),
          esm_class: part.esmClassUdhi ? ESM_CLASS.UDHI : 0,
          data_coding: segmented.dataCoding,
          short_message: part.shortMessage,
        });
        if (response.command_status !== CommandStatus.ESME_ROK) return;
      }
      this.#deps.store.setMessageStatus(message.id, 'sent', receiver.systemId);
      this.#deps.events?.messageUpdated(message.id);
    } catch {
      // Left 'queued': the next bind of a receiver sends it again.
    } finally {
      this.#moInFlight.delete(message.id);
    }
  }
}

function receiptPdu(segment: Segment): Record<string, unknown> {
  const text = formatReceipt({
    id: segment.messageId,
    sub: 1,
    dlvrd: segment.outcome === 'delivered' ? 1 : 0,
    submitDate: new Date(segment.submittedAt),
    doneDate: new Date(segment.doneAt ?? segment.submittedAt),
    stat: statForState(segment.state),
    err: segment.errorCode,
    text: segment.body,
  });
  const fields: Record<string, unknown> = {
    source_addr_ton: 1,
    source_addr_npi: 1,
    source_addr: segment.destination.replace(/^\+/, ''),
    dest_addr_ton: /^\+?\d+$/.test(segment.source) ? 1 : 5,
    dest_addr_npi: 1,
    destination_addr: segment.source.replace(/^\+/, ''),
    esm_class: ESM_CLASS.DELIVERY_RECEIPT,
    data_coding: 0,
    short_message: Buffer.from(text, 'latin1'),
    receipted_message_id: segment.messageId,
    message_state: segment.state,
  };
  if (segment.errorCode) {
    const code = Buffer.alloc(3);
    code.writeUInt8(NETWORK_TYPE_GSM, 0);
    code.writeUInt16BE(segment.errorCode, 1);
    fields['network_error_code'] = code;
  }
  return fields;
}

/** SMPP absolute time, YYMMDDhhmmsst00+ in UTC. */
function smppTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}${Math.floor(d.getUTCMilliseconds() / 100)}00+`;
}
