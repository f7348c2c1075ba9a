// Delivery receipts: Appendix B text and message_state mapping. Pure, no I/O.
export { formatReceipt, parseReceipt } from './delivery-receipt';
export type { ReceiptFields, ParsedReceipt } from './delivery-receipt';
export {
  MessageState,
  RECEIPT_STATS,
  statForState,
  stateForStat,
  normalizeStat,
  deliveryOutcome,
} from './message-state';
export type { ReceiptStat, DeliveryOutcome } from './message-state';
