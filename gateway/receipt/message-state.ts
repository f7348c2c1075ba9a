// SMPP message_state values and the 7-letter `stat` codes of delivery receipts (SMPP 3.4 5.2.28, App. B).

export enum MessageState {
  ENROUTE = 1,
  DELIVERED = 2,
  EXPIRED = 3,
  DELETED = 4,
  UNDELIVERABLE = 5,
  ACCEPTED = 6,
  UNKNOWN = 7,
  REJECTED = 8,
}

export const RECEIPT_STATS = ['DELIVRD', 'EXPIRED', 'DELETED', 'UNDELIV', 'ACCEPTD', 'UNKNOWN', 'REJECTD', 'ENROUTE'] as const;
export type ReceiptStat = (typeof RECEIPT_STATS)[number];

export type DeliveryOutcome = 'delivered' | 'undelivered' | 'expired' | 'rejected' | 'unknown' | 'pending';

const STAT_BY_STATE: Record<MessageState, ReceiptStat> = {
  [MessageState.ENROUTE]: 'ENROUTE',
  [MessageState.DELIVERED]: 'DELIVRD',
  [MessageState.EXPIRED]: 'EXPIRED',
  [MessageState.DELETED]: 'DELETED',
  [MessageState.UNDELIVERABLE]: 'UNDELIV',
  [MessageState.ACCEPTED]: 'ACCEPTD',
  [MessageState.UNKNOWN]: 'UNKNOWN',
  [MessageState.REJECTED]: 'REJECTD',
};

const STATE_BY_STAT: Record<ReceiptStat, MessageState> = {
  ENROUTE: MessageState.ENROUTE,
  DELIVRD: MessageState.DELIVERED,
  EXPIRED: MessageState.EXPIRED,
  DELETED: MessageState.DELETED,
  UNDELIV: MessageState.UNDELIVERABLE,
  ACCEPTD: MessageState.ACCEPTED,
  UNKNOWN: MessageState.UNKNOWN,
  REJECTD: MessageState.REJECTED,
};

// Spellings seen from SMSCs that write the word out instead of the 7-letter code.
const STAT_ALIASES: Readonly<Record<string, ReceiptStat>> = {
  DELIVERED: 'DELIVRD',
  UNDELIVERABLE: 'UNDELIV',
  UNDELIVERED: 'UNDELIV',
  ACCEPTED: 'ACCEPTD',
  REJECTED: 'REJECTD',
};

function isReceiptStat(value: string): value is ReceiptStat {
  return (RECEIPT_STATS as readonly string[]).includes(value);
}

/** Canonical 7-letter code for a stat as an SMSC wrote it, or undefined if unrecognised. */
export function normalizeStat(stat: string): ReceiptStat | undefined {
  const upper = stat.trim().toUpperCase();
  return isReceiptStat(upper) ? upper : STAT_ALIASES[upper];
}

export function statForState(state: MessageState): ReceiptStat {
  return STAT_BY_STATE[state] ?? 'UNKNOWN';
}

export function stateForStat(stat: string): MessageState {
  const canonical = normalizeStat(stat);
  return canonical ? STATE_BY_STAT[canonical] : MessageState.UNKNOWN;
}

/** What a receipt means for the sender. ENROUTE/ACCEPTD are treated as not final yet. */
export function deliveryOutcome(stat: string | MessageState): DeliveryOutcome {
  const state = typeof stat === 'number' ? stat : stateForStat(stat);
  switch (state) {
    case MessageState.DELIVERED: return 'delivered';
    case MessageState.UNDELIVERABLE:
    case MessageState.DELETED: return 'undelivered';
    case MessageState.EXPIRED: return 'expired';
    case MessageState.REJECTED: return 'rejected';
    // Many SMSCs send ACCEPTD as "taken by the operator", with a final receipt to follow.
    case MessageState.ENROUTE:
    case MessageState.ACCEPTED: return 'pending';
    default: return 'unknown';
  }
}
