import { EventEmitter } from 'node:events';
import {
  CommandStatus,
  REGISTERED_DELIVERY,
  type CancelPdu,
  type MessagePdu,
  type ReplacePdu,
  type SubmitMultiPdu,
  type UnsuccessfulDestination,
} from '../gateway/smpp';
import { MessageState } from '../gateway/receipt';
import { encodeText, segmentText } from '../gateway/text';
import type { Clock } from '../gateway/clock';
import type { Behaviours } from './behaviours';
import type { HandsetHub } from './handsets/handset-hub';
import type { MessageStatus, MessageStore, Outcome, Segment, StoredMessage } from './store/message-store';
import { decodeSubmittedPart, joinParts, PartRejectedError, type SubmittedPart } from './smsc/submitted-part';
import { ThroughputLimiter } from './smsc/throughput-limiter';
import type { BindInfo, QueryResult, SmscServer, SubmitResult } from './smsc/smsc-server';
import { OutcomeQueue } from './smsc/outcome-queue';
import { reachOutcome } from './smsc/outcome';
import { ReceiptSender } from './smsc/receipt-sender';
import { MoDelivery } from './smsc/mo-delivery';
import { readMessageTimes, smppTime, type MessageTimes } from './smsc/smpp-time';
import { PendingOperations } from './smsc/pending-operations';
import { newMessageSid, newPartId } from './message-ids';
import type { NetworkEventSink } from './console/event-sink';
import { withoutPlus } from './numbers';

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
  /** Parts held by schedule_delivery_time, by that time: their message goes to the handset then. */
  readonly #releases: OutcomeQueue;
  readonly #pendingOps: PendingOperations;
  readonly #receipts: ReceiptSender;
  readonly #mo: MoDelivery;
  /** The bind (sessionId) that submitted each part whose receipt is still to go: receipt routing, in memory only. */
  readonly #submitters = new Map<string, number>();
  /** The bind that last sent a handset a message from an address (handset|address): where its MO answers go. */
  readonly #conversations = new Map<string, number>();
  /** The key last set in #conversations, i.e. its newest entry. */
  #newestConversation?: string;

  constructor(deps: MessageCenterDeps) {
    super();
    this.#deps = deps;
    this.#limiter = new ThroughputLimiter(deps.clock, () => deps.behaviours.settings.maxSubmitsPerSecond);
    this.#outcomes = new OutcomeQueue(deps.clock, (due) => this.#reachOutcomes(due));
    this.#releases = new OutcomeQueue(deps.clock, (due) => this.#releaseHeld(due), (segment) => segment.scheduledAt ?? 0);
    this.#pendingOps = new PendingOperations({
      store: deps.store,
      clock: deps.clock,
      plan: (destination, now, scheduledAt, validUntil) => this.#plan(destination, now, scheduledAt, validUntil),
      reschedule: (messageId, replacement) => {
        this.#outcomes.remove(messageId);
        this.#releases.remove(messageId);
        if (!replacement) return;
        this.#outcomes.schedule(replacement);
        if (replacement.scheduledAt !== null) this.#releases.schedule(replacement);
      },
      sendReceipt: (segment) => void this.#receipts.send(segment),
      changed: (message) => {
        this.#rewritten(message);
        if (message.status === 'delivered') this.#push(message);
      },
    });
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
    for (const segment of this.#deps.store.unfinishedSegments()) {
      this.#outcomes.schedule(segment);
      if (segment.scheduledAt !== null) this.#releases.schedule(segment);
    }
  }

  /** The SMSC's submit handler: answers with the status to put in submit_sm_resp. */
  submit(pdu: MessagePdu, bind: BindInfo): SubmitResult {
    if (!this.#limiter.admit()) return { status: CommandStatus.ESME_RTHROTTLED };
    const times = readMessageTimes(pdu, this.#deps.clock.now());
    if ('status' in times) return times;
    return this.#submitPart(pdu, bind, times, null);
  }

  /**
   * submit_multi (SMPP 3.4 §4.5): one message to up to 254 destinations, each its own part with its own
   * outcome and receipt; the receipts carry the one message id answered. A destination that cannot be
   * taken (a distribution list, an empty or refused number) is listed in unsuccess_sme with its status.
   */
  submitMulti(pdu: SubmitMultiPdu, bind: BindInfo): SubmitResult {
    if (!this.#limiter.admit()) return { status: CommandStatus.ESME_RTHROTTLED };
    const destinations = pdu.dest_address ?? [];
    if (destinations.length === 0 || destinations.length > MAX_DESTINATIONS) return { status: CommandStatus.ESME_RINVNUMDESTS };
    const times = readMessageTimes(pdu, this.#deps.clock.now());
    if ('status' in times) return times;
    const multiId = newPartId();
    const unsuccess: UnsuccessfulDestination[] = [];
    for (const destination of destinations) {
      if ('dl_name' in destination) {
        // This SMSC keeps no distribution lists.
        unsuccess.push({ dest_addr_ton: 0, dest_addr_npi: 0, destination_addr: destination.dl_name, error_status_code: CommandStatus.ESME_RINVDLNAME });
        continue;
      }
      const result = this.#submitPart({ ...pdu, ...destination, command: 'submit_sm' }, bind, times, multiId);
      if (result.status !== CommandStatus.ESME_ROK) unsuccess.push({ ...destination, error_status_code: result.status });
    }
    return { status: CommandStatus.ESME_ROK, messageId: multiId, unsuccess };
  }

  /** cancel_sm (see PendingOperations). */
  cancel(pdu: CancelPdu, bind: BindInfo): number {
    return this.#pendingOps.cancel(pdu, bind.systemId);
  }

  /** replace_sm (see PendingOperations). */
  replace(pdu: ReplacePdu, bind: BindInfo): number {
    return this.#pendingOps.replace(pdu, bind.systemId);
  }

  /** One destination's part of a submit_sm or submit_multi. */
  #submitPart(pdu: MessagePdu, bind: BindInfo, times: MessageTimes, multiId: string | null): SubmitResult {
    let part: SubmittedPart;
    try {
      part = decodeSubmittedPart(pdu);
    } catch (error) {
      if (error instanceof PartRejectedError) return { status: error.status };
      throw error;
    }
    const refusal = this.#refusal(part.destination);
    if (refusal !== undefined) return { status: refusal };
    const serviceType = pdu.service_type ?? '';
    if (pdu.replace_if_present_flag === 1 && !part.concat) {
      this.#pendingOps.replacePresent(bind.systemId, part.source, part.destination, serviceType);
    }
    const segment = this.#accept(part, bind.systemId, { ...times, serviceType, multiId });
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

  /** query_sm; a submit_multi's id reports its first destination still pending, else its first. */
  query(messageId: string, bind: BindInfo): QueryResult | undefined {
    const parts = this.#deps.store.segmentsById(messageId, bind.systemId);
    const segment = parts.find((p) => p.doneAt === null) ?? parts[0];
    if (!segment) return undefined;
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
      replacedAt: null,
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
    // The newest already (a run of messages to one handset): nothing to move.
    if (key === this.#newestConversation && this.#conversations.get(key) === sessionId) return;
    this.#newestConversation = key;
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

  /**
   * Stores a part (and its whole message once every part is in) and sets its outcome. A part held by
   * `scheduledAt` goes to the handset then, its outcome the receipt delay later; one whose validity ends
   * before its outcome is due expires then instead (EXPIRED receipt).
   */
  #accept(part: SubmittedPart, systemId: string, options: MessageTimes & { serviceType?: string; multiId?: string | null } = {}): Segment {
    const { store, clock } = this.#deps;
    const now = clock.now();
    const scheduledAt = options.scheduledAt !== undefined && options.scheduledAt > now ? options.scheduledAt : null;
    const validUntil = options.validUntil ?? null;
    const { outcome, dueAt } = this.#plan(part.destination, now, scheduledAt, validUntil);
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
      serviceType: options.serviceType ?? '',
      scheduledAt,
      validUntil,
      multiId: options.multiId ?? null,
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
      status: wholeStatus(parts, segment.outcome, now),
      createdAt: now,
      pushedAt: null,
      replacedAt: null,
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
    if (whole?.status === 'delivered') this.#push(whole);
    this.#outcomes.schedule(segment);
    if (scheduledAt !== null) this.#releases.schedule(segment);
    return segment;
  }

  /** A part's outcome from its number's behaviour, and when: the receipt delay after it may go, or its expiry if sooner. */
  #plan(destination: string, now: number, scheduledAt: number | null, validUntil: number | null): { outcome: Outcome; dueAt: number } {
    const { behaviours } = this.#deps;
    const behaviour = behaviours.for(destination).sms;
    let outcome: Outcome = behaviour === 'deliver' ? 'delivered' : OUTCOMES.has(behaviour) ? (behaviour as Outcome) : 'undeliverable';
    let dueAt = (scheduledAt ?? now) + behaviours.receiptDelayFor(destination);
    if (validUntil !== null && validUntil <= dueAt) {
      outcome = 'expired';
      dueAt = Math.max(now, validUntil);
    }
    return { outcome, dueAt };
  }

  /** Tells the console a message changed in several ways at once (rare: cancel, replace, release). */
  #rewritten(message: StoredMessage): void {
    this.#deps.events?.messageRewritten(message, this.#deps.store.segmentsOf(message.id));
  }

  /** Held parts whose time has come: their messages go to the handset, once every part may go. */
  #releaseHeld(due: Segment[]): void {
    try {
      const messages = new Set(due.flatMap((s) => this.#deps.store.segment(s.messageId)?.assembledInto ?? []));
      for (const id of messages) this.#release(id);
    } catch {
      // Closed store (shutdown): restore() holds them again next start.
    }
  }

  /** A held message whose parts may all go now (or reached their outcome while held) takes their outcome; delivered, it reaches the handset. */
  #release(messageId: string): void {
    const { store, clock } = this.#deps;
    const message = store.message(messageId);
    if (message?.status !== 'scheduled') return;
    const now = clock.now();
    const parts = store.segmentsOf(messageId);
    if (parts.some((p) => p.doneAt === null && p.scheduledAt !== null && p.scheduledAt > now)) return;
    const status = parts.find((p) => p.outcome !== 'delivered')?.outcome ?? 'delivered';
    store.setMessageStatus(messageId, status);
    this.#rewritten({ ...message, status });
    if (status === 'delivered') this.#push({ ...message, status });
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
      if (segment.scheduledAt !== null) this.#releaseHeld([segment]);
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
  return `${withoutPlus(handset)}|${withoutPlus(address)}`;
}

const NO_PARTS: readonly Segment[] = Object.freeze([]);

/** submit_multi takes 1 to 254 destinations (SMPP 3.4 §4.5.1). */
const MAX_DESTINATIONS = 254;

const OUTCOMES: ReadonlySet<string> = new Set<Outcome>(['delivered', 'undeliverable', 'expired', 'absent']);

/** A whole message's status: cancelled if a part was, held while a part waits for its schedule, else the newest part's outcome. */
function wholeStatus(parts: Segment[], newest: Outcome, now: number): MessageStatus {
  if (parts.some((p) => p.outcome === 'cancelled')) return 'cancelled';
  if (parts.some((p) => p.doneAt === null && p.scheduledAt !== null && p.scheduledAt > now)) return 'scheduled';
  return newest;
}
