import { EventEmitter } from 'node:events';
import { CommandStatus, REGISTERED_DELIVERY, type MessagePdu } from '../gateway/smpp';
import { MessageState } from '../gateway/receipt';
import { encodeText, segmentText } from '../gateway/text';
import type { Clock } from '../gateway/clock';
import type { Behaviours } from './behaviours';
import type { HandsetHub } from './handsets/handset-hub';
import type { MessageStore, Outcome, Segment, StoredMessage } from './store/message-store';
import { decodeSubmittedPart, joinParts, PartRejectedError, type SubmittedPart } from './smsc/submitted-part';
import { ThroughputLimiter } from './smsc/throughput-limiter';
import type { BindInfo, QueryResult, SmscServer, SubmitResult } from './smsc/smsc-server';
import { OutcomeQueue } from './smsc/outcome-queue';
import { reachOutcome } from './smsc/outcome';
import { ReceiptSender } from './smsc/receipt-sender';
import { MoDelivery } from './smsc/mo-delivery';
import { parseSmppTime, smppTime } from './smsc/smpp-time';
import { newMessageSid, newPartId } from './message-ids';
import type { NetworkEventSink } from './console/event-sink';

export interface MessageCenterDeps {
  store: MessageStore;
  behaviours: Behaviours;
  hub: HandsetHub;
  clock: Clock;
  smsc: () => SmscServer;
  /** The console's event stream (messages created and changed). */
  events?: NetworkEventSink;
}

export interface MessageCenterEvents {
  /** A part reached its outcome (delivered, undeliverable, expired, absent) and its state is stored. */
  outcome: [segment: Segment];
}

export type TextAcceptance =
  | { accepted: true; segment: Segment; message: StoredMessage }
  | { accepted: false; status: number; reason: string };

/**
 * The simulator's SMS core, between the SMSC, the store and the handsets:
 * accepts parts (stored before they are acknowledged), reassembles them,
 * hands whole texts to handsets, sends receipts when each part's outcome is
 * due, and carries handsets' own messages (MO) to bound ESMEs. The
 * outcome queue, receipt sending and MO delivery are its parts in smsc/; this
 * class holds them to the store.
 */
export class MessageCenter extends EventEmitter<MessageCenterEvents> {
  readonly #deps: MessageCenterDeps;
  readonly #limiter: ThroughputLimiter;
  readonly #outcomes: OutcomeQueue;
  readonly #receipts: ReceiptSender;
  readonly #mo: MoDelivery;
  /** The bind (sessionId) that submitted each part whose receipt is still to go: receipt routing, in memory only. */
  readonly #submitters = new Map<string, number>();
  /** The bind that last sent a handset a message from an address (handset|address): where its MO answers go. */
  readonly #conversations = new Map<string, number>();

  constructor(deps: MessageCenterDeps) {
    super();
    this.#deps = deps;
    this.#limiter = new ThroughputLimiter(deps.clock, () => deps.behaviours.settings.maxSubmitsPerSecond);
    this.#outcomes = new OutcomeQueue(deps.clock, (due) => this.#reachOutcomes(due));
    this.#receipts = new ReceiptSender({
      clock: deps.clock,
      smsc: deps.smsc,
      submitter: (messageId) => this.#submitters.get(messageId),
      pending: (messageId) => {
        const current = deps.store.segment(messageId);
        return current?.receipt === 'pending' ? current : undefined;
      },
      markSent: (messageIds) => this.#markReceipts(messageIds, 'sent'),
      markRefused: (messageId) => this.#markReceipts([messageId], 'refused'),
    });
    this.#mo = new MoDelivery({
      clock: deps.clock,
      smsc: deps.smsc,
      submitter: (message) => this.#conversations.get(conversationKey(message.source, message.destination)),
      pending: (messageId) => {
        const current = deps.store.message(messageId);
        return current?.status === 'queued' ? current : undefined;
      },
      onSent: (message, systemId) => this.#setMobileOriginatedStatus(message, 'sent', systemId),
      onRefused: (message, systemId) => this.#setMobileOriginatedStatus(message, 'failed', systemId),
    });
  }

  /** Re-arms what a previous run left unfinished: outcomes not yet reached, receipts and MO not yet sent. */
  restore(): void {
    for (const segment of this.#deps.store.unfinishedSegments()) this.#outcomes.schedule(segment);
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
    let validUntil: number | undefined;
    try {
      parseSmppTime(timeField(pdu.schedule_delivery_time), this.#deps.clock.now());
    } catch {
      return { status: CommandStatus.ESME_RINVSCHED };
    }
    try {
      validUntil = parseSmppTime(timeField(pdu.validity_period), this.#deps.clock.now());
    } catch {
      return { status: CommandStatus.ESME_RINVEXPIRY };
    }
    const refusal = this.#refusal(part.destination);
    if (refusal !== undefined) return { status: refusal };
    const segment = this.#accept(part, bind.systemId, validUntil);
    this.#rememberSubmitter(segment, bind.sessionId);
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
    this.#deps.events?.messageCreated(message, NO_PARTS);
    // To another number of this network: its handsets get it too (an ESME that binds still gets it as MO).
    if (/^\+\d+$/.test(message.destination)) this.#push(message);
    void this.#mo.send(message);
    return message;
  }

  /** A receiver bound: what waited for one goes out now. */
  onBound(bind: BindInfo): void {
    if (bind.mode === 'transmitter') return;
    for (const segment of this.#deps.store.pendingReceipts(bind.systemId)) void this.#receipts.send(segment);
    for (const message of this.#deps.store.queuedMobileOriginated()) void this.#mo.send(message);
  }

  #rememberSubmitter(segment: Segment, sessionId: number): void {
    if (segment.registeredDelivery & REGISTERED_DELIVERY.MASK) this.#submitters.set(segment.messageId, sessionId);
    const key = conversationKey(segment.destination, segment.source);
    this.#conversations.delete(key); // re-inserted as the newest
    this.#conversations.set(key, sessionId);
    if (this.#conversations.size > MAX_CONVERSATIONS) this.#conversations.delete(this.#conversations.keys().next().value!);
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

  /** `validUntil`: a part whose validity ends before its outcome is due expires then instead (EXPIRED receipt). */
  #accept(part: SubmittedPart, systemId: string, validUntil?: number): Segment {
    const { store, behaviours, clock } = this.#deps;
    const now = clock.now();
    const behaviour = behaviours.for(part.destination).sms;
    let outcome: Outcome = behaviour === 'deliver' ? 'delivered' : (behaviour as Outcome);
    let dueAt = now + behaviours.receiptDelayFor(part.destination);
    if (validUntil !== undefined && validUntil <= dueAt) {
      outcome = 'expired';
      dueAt = Math.max(now, validUntil);
    }
    const segment: Segment = {
      messageId: newPartId(),
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
      dueAt,
      doneAt: null,
      receipt: 'none',
      assembledInto: null,
      payload: part.userData ?? null,
    };
    const wholeOf = (parts: Segment[]): StoredMessage => ({
      id: newMessageSid(),
      direction: 'mt',
      source: segment.source,
      destination: segment.destination,
      body: joinParts(parts),
      dataCoding: segment.dataCoding,
      parts: parts.length,
      systemId,
      status: outcome,
      createdAt: now,
      pushedAt: null,
    });
    let wholeParts: Segment[] | undefined;
    const whole = store.transaction(() => {
      if (!segment.concatKey) {
        // A single part is its own whole message: that row first, so the part is written already assembled.
        wholeParts = [segment];
        const message = wholeOf(wholeParts);
        segment.assembledInto = message.id;
        store.insertMessage(message);
        store.insertSegment(segment);
        return message;
      }
      store.insertSegment(segment);
      wholeParts = this.#completeParts(segment.concatKey, segment.concatTotal ?? 1);
      if (!wholeParts) return undefined;
      const message = wholeOf(wholeParts);
      store.insertMessage(message, wholeParts.map((p) => p.messageId));
      return message;
    });
    if (whole) this.#deps.events?.messageCreated(whole, wholeParts!);
    if (whole && outcome === 'delivered') this.#push(whole);
    this.#outcomes.schedule(segment);
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
    if (delivered === 0) return;
    const at = this.#deps.clock.now();
    if (this.#deps.store.markPushed(message.id, at)) this.#deps.events?.messagePushed(message.id, at);
  }

  /** A handset socket opened: it receives what arrived while none was open. */
  flushInbox(number: string): void {
    for (const message of this.#deps.store.unpushed(number)) this.#push(message);
  }

  /** Parts whose outcome has come: their final state stored together, then reported and receipted. */
  #reachOutcomes(due: Segment[]): void {
    const now = this.#deps.clock.now();
    const done = due.map((segment) => reachOutcome(segment, now));
    try {
      this.#deps.store.transaction(() => {
        for (const segment of done) this.#deps.store.finishSegment(segment.messageId, segment.state, segment.errorCode, now, segment.receipt);
      });
    } catch {
      return; // The store was closed under us (shutdown); restore() picks them up next start.
    }
    for (const segment of done) {
      if (segment.receipt === 'none') this.#submitters.delete(segment.messageId);
      this.emit('outcome', segment);
      if (segment.receipt === 'pending') void this.#receipts.send(segment);
    }
  }

  #markReceipts(messageIds: string[], receipt: 'sent' | 'refused'): void {
    for (const id of messageIds) this.#submitters.delete(id);
    try {
      this.#deps.store.transaction(() => {
        for (const id of messageIds) this.#deps.store.setReceipt(id, receipt);
      });
      this.#deps.events?.partsReceipted(messageIds, receipt);
    } catch {
      // Closed store: those receipts stay 'pending' and go again after a restart (at least once).
    }
  }

  #setMobileOriginatedStatus(message: StoredMessage, status: 'sent' | 'failed', systemId: string): void {
    this.#deps.store.setMessageStatus(message.id, status, systemId);
    this.#deps.events?.messageStatusChanged(message.id, status, systemId);
  }
}

/** Conversations remembered for MO routing; past this, the least recently used is forgotten. */
const MAX_CONVERSATIONS = 10_000;

/** A handset and the address it talks with, written the same from either side (`+` optional). */
function conversationKey(handset: string, address: string): string {
  return `${handset.replace(/^\+/, '')}|${address.replace(/^\+/, '')}`;
}

const NO_PARTS: readonly Segment[] = Object.freeze([]);

/** Time fields pass through the framer raw (a string, or bytes from some ESMEs). */
function timeField(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('latin1') : String(value ?? '');
}
