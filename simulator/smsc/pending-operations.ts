import { CommandStatus, type CancelPdu, type ReplacePdu } from '../../gateway/smpp';
import type { MessageStore, Segment } from '../store/message-store';
import { normaliseAddress } from '../numbers';

/**
 * Which parts cancel_sm and replace_sm (SMPP 3.4 §4.9, §4.10) act on, or the status that refuses them. Only a
 * part still pending can be changed: its outcome not reached and its message not handed to the handset
 * (`amendable`). What is done to those parts is the message center's.
 */
export interface PendingParts {
  store: MessageStore;
  amendable(segment: Segment): boolean;
}

/**
 * cancel_sm: by message_id (a submit_multi's id names every destination, narrowed by destination_addr when
 * given), or without one every pending part from source_addr to destination_addr, of service_type when
 * given. A message id this system_id did not submit: ESME_RINVMSGID; another source_addr than the
 * message's: ESME_RINVSRCADR; nothing pending: ESME_RCANCELFAIL.
 */
export function cancelTargets(pdu: CancelPdu, systemId: string, pending: PendingParts): Segment[] | number {
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
export function replaceTargets(pdu: ReplacePdu, systemId: string, pending: PendingParts): Segment[] | number {
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
export function presentTargets(systemId: string, source: string, destination: string, serviceType: string, pending: PendingParts): Segment[] {
  return pending.store
    .enrouteBetween(systemId, source, destination)
    .filter((p) => p.serviceType === serviceType && p.concatKey === null && pending.amendable(p));
}

function address(value: unknown, ton: unknown): string {
  return value ? normaliseAddress(String(value), Number(ton ?? 0)) : '';
}
