import { CommandStatus, type CancelPdu, type ReplacePdu } from '../../gateway/smpp';
import { MessageState } from '../../gateway/receipt';
import { decodeText } from '../../gateway/text';
import type { Clock } from '../../gateway/clock';
import type { MessageStore, Outcome, Segment, StoredMessage } from '../store/message-store';
import { normaliseAddress } from '../numbers';
import { wantsReceipt } from './outcome';
import { readMessageTimes } from './smpp-time';

export interface PendingOperationsDeps {
  store: MessageStore;
  clock: Clock;
  /** The outcome a part gets from its number's behaviour, and when (the message center's rule). */
  plan(destination: string, now: number, scheduledAt: number | null, validUntil: number | null): { outcome: Outcome; dueAt: number };
  /** Takes a part out of the outcome and release queues; puts `replacement` in its place when given. */
  reschedule(messageId: string, replacement?: Segment): void;
  sendReceipt(segment: Segment): void;
  /** A message changed (status, text): the console is told; delivered now, it goes to the handset. */
  changed(message: StoredMessage): void;
}

/**
 * cancel_sm, replace_sm and replace_if_present_flag (SMPP 3.4 §4.9, §4.10, §5.2.19) on the parts still
 * pending: their outcome not reached and their message not handed to the handset.
 */
export class PendingOperations {
  readonly #parts: PendingParts;

  constructor(private readonly deps: PendingOperationsDeps) {
    this.#parts = { store: deps.store, amendable: (segment) => this.#amendable(segment) };
  }

  /** cancel_sm: the pending parts it names end as DELETED and never reach the handset. */
  cancel(pdu: CancelPdu, systemId: string): number {
    const targets = cancelTargets(pdu, systemId, this.#parts);
    if (typeof targets === 'number') return targets;
    this.#end(targets, 'cancelled');
    return CommandStatus.ESME_ROK;
  }

  /**
   * replace_sm: a pending part gets the new text (in its own data_coding), registered_delivery and,
   * when given, schedule and validity (empty keeps the old ones). It keeps its message id.
   */
  replace(pdu: ReplacePdu, systemId: string): number {
    const { store, clock } = this.deps;
    const now = clock.now();
    const targets = replaceTargets(pdu, systemId, this.#parts);
    if (typeof targets === 'number') return targets;
    const times = readMessageTimes(pdu, now);
    if ('status' in times) return times.status;
    const bytes = Buffer.isBuffer(pdu.short_message) ? pdu.short_message : Buffer.alloc(0);
    for (const part of targets) {
      const scheduledAt = times.scheduledAt === undefined ? part.scheduledAt : times.scheduledAt > now ? times.scheduledAt : null;
      const validUntil = times.validUntil ?? part.validUntil;
      const body = decodeText(bytes, part.dataCoding);
      const planned = this.deps.plan(part.destination, now, scheduledAt, validUntil);
      const updated: Segment = { ...part, ...planned, body, payload: bytes, scheduledAt, validUntil, registeredDelivery: pdu.registered_delivery ?? 0 };
      const messageId = part.assembledInto;
      store.transaction(() => {
        store.replaceSegment(updated);
        if (messageId) {
          store.setMessageBody(messageId, body, now);
          store.setMessageStatus(messageId, scheduledAt !== null ? 'scheduled' : updated.outcome);
        }
      });
      this.deps.reschedule(part.messageId, updated);
      const message = messageId ? store.message(messageId) : undefined;
      if (message) this.deps.changed(message);
    }
    return CommandStatus.ESME_ROK;
  }

  /** replace_if_present_flag: a new submit ends the pending message it replaces (status `replaced`). */
  replacePresent(systemId: string, source: string, destination: string, serviceType: string): void {
    const present = presentTargets(systemId, source, destination, serviceType, this.#parts);
    if (present.length > 0) this.#end(present, 'replaced');
  }

  /** Still pending: its outcome not reached and its message not handed to the handset. */
  #amendable(segment: Segment): boolean {
    if (segment.doneAt !== null) return false;
    return segment.assembledInto === null || this.deps.store.message(segment.assembledInto)?.status !== 'delivered';
  }

  /** Ends pending parts early (cancelled, replaced): DELETED, a receipt if they asked for failures, and their messages never delivered. */
  #end(parts: Segment[], outcome: 'cancelled' | 'replaced'): void {
    const { store, clock } = this.deps;
    const now = clock.now();
    const ended = parts.map((p): Segment => ({ ...p, outcome, state: MessageState.DELETED, errorCode: 0, doneAt: now, receipt: wantsReceipt(p.registeredDelivery, outcome) ? 'pending' : 'none' }));
    const messages = new Set(ended.flatMap((p) => (p.assembledInto ? [p.assembledInto] : [])));
    store.transaction(() => {
      for (const p of ended) store.endSegment(p.messageId, outcome, p.state, now, p.receipt);
      for (const id of messages) store.setMessageStatus(id, outcome);
    });
    for (const p of ended) {
      this.deps.reschedule(p.messageId);
      if (p.receipt === 'pending') this.deps.sendReceipt(p);
    }
    for (const id of messages) {
      const message = store.message(id);
      if (message) this.deps.changed(message);
    }
  }
}

/** Which parts cancel_sm and replace_sm act on, or the status that refuses them: only those `amendable`. */
interface PendingParts {
  store: MessageStore;
  amendable(segment: Segment): boolean;
}

/**
 * cancel_sm: by message_id (a submit_multi's id names every destination, narrowed by destination_addr when
 * given), or without one every pending part from source_addr to destination_addr, of service_type when
 * given. A message id this system_id did not submit: ESME_RINVMSGID; another source_addr than the
 * message's: ESME_RINVSRCADR; nothing pending: ESME_RCANCELFAIL.
 */
function cancelTargets(pdu: CancelPdu, systemId: string, pending: PendingParts): Segment[] | number {
  const messageId = String(pdu.message_id ?? '');
  const source = address(pdu.source_addr, pdu.source_addr_ton);
  const destination = address(pdu.destination_addr, pdu.dest_addr_ton);
  let parts: Segment[];
  if (messageId) {
    parts = pending.store.segmentsById(messageId, systemId);
    if (parts.length === 0) return CommandStatus.ESME_RINVMSGID;
    if (source && parts.some((p) => p.source !== source)) return CommandStatus.ESME_RINVSRCADR;
    if (destination) parts = parts.filter((p) => p.destination === destination);
  } else {
    if (!source || !destination) return CommandStatus.ESME_RCANCELFAIL;
    const serviceType = String(pdu.service_type ?? '');
    parts = pending.store.enrouteBetween(systemId, source, destination).filter((p) => !serviceType || p.serviceType === serviceType);
  }
  const targets = parts.filter((p) => pending.amendable(p));
  return targets.length > 0 ? targets : CommandStatus.ESME_RCANCELFAIL;
}

/**
 * replace_sm: the pending parts `message_id` names. Not this system_id's: ESME_RINVMSGID; another
 * source_addr: ESME_RINVSRCADR; a part of a concatenated message (its new text could not carry the UDH),
 * or nothing pending: ESME_RREPLACEFAIL.
 */
function replaceTargets(pdu: ReplacePdu, systemId: string, pending: PendingParts): Segment[] | number {
  const parts = pending.store.segmentsById(String(pdu.message_id ?? ''), systemId);
  if (parts.length === 0) return CommandStatus.ESME_RINVMSGID;
  const source = address(pdu.source_addr, pdu.source_addr_ton);
  if (source && parts.some((p) => p.source !== source)) return CommandStatus.ESME_RINVSRCADR;
  if (parts.some((p) => p.concatKey !== null)) return CommandStatus.ESME_RREPLACEFAIL;
  const targets = parts.filter((p) => pending.amendable(p));
  return targets.length > 0 ? targets : CommandStatus.ESME_RREPLACEFAIL;
}

/**
 * replace_if_present_flag (§5.2.19): the pending single-part messages a new submit replaces, from the same
 * source to the same destination with the same service_type, of the same system_id.
 */
function presentTargets(systemId: string, source: string, destination: string, serviceType: string, pending: PendingParts): Segment[] {
  return pending.store
    .enrouteBetween(systemId, source, destination)
    .filter((p) => p.serviceType === serviceType && p.concatKey === null && pending.amendable(p));
}

function address(value: unknown, ton: unknown): string {
  return value ? normaliseAddress(String(value), Number(ton ?? 0)) : '';
}
