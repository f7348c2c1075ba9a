export { OutboxStore, type OutboxRow, type OutboxStatus, type NewOutboxItem, type PartDelivery } from './outbox-store';
export { Dispatcher, type DispatcherOptions, type DispatcherEvents, type OutboxSender, type SendResult } from './dispatcher';
export { isAttemptReference, type AttemptReference, type CallPayload, type OutboxContent, type OutboxKind, type ReadyContent, type SmsPayload } from './outbox-payload';
