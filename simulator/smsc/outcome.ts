import { REGISTERED_DELIVERY } from '../../gateway/smpp';
import { MessageState } from '../../gateway/receipt';
import type { Outcome, Segment } from '../store/message-store';

/** MAP error 27, absent subscriber, as SMSCs report it in err: and network_error_code. */
const ERR_ABSENT_SUBSCRIBER = 27;
const ERR_UNDELIVERABLE = 1;

const outcomeState: Record<Outcome, { state: number; error: number }> = {
  delivered: { state: MessageState.DELIVERED, error: 0 },
  undeliverable: { state: MessageState.UNDELIVERABLE, error: ERR_UNDELIVERABLE },
  expired: { state: MessageState.EXPIRED, error: 0 },
  absent: { state: MessageState.UNDELIVERABLE, error: ERR_ABSENT_SUBSCRIBER },
  cancelled: { state: MessageState.DELETED, error: 0 },
  replaced: { state: MessageState.DELETED, error: 0 },
};

/** The part once its outcome is reached at `now`: its final state and error, and whether it asked for a receipt. */
export function reachOutcome(segment: Segment, now: number): Segment {
  const { state, error } = outcomeState[segment.outcome];
  return { ...segment, state, errorCode: error, doneAt: now, receipt: wantsReceipt(segment.registeredDelivery, segment.outcome) ? 'pending' : 'none' };
}

/** registered_delivery 1 asks for every final state, 2 for failures (all but DELIVRD). */
export function wantsReceipt(registeredDelivery: number, outcome: Outcome): boolean {
  const requested = registeredDelivery & REGISTERED_DELIVERY.MASK;
  return requested === REGISTERED_DELIVERY.SUCCESS_OR_FAILURE || (requested === REGISTERED_DELIVERY.FAILURE_ONLY && outcome !== 'delivered');
}
