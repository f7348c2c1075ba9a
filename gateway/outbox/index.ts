export type { NewOutboxItem, OutboxRepository, OutboxRow, OutboxStatus, PartDelivery } from './outbox-repository';
export { openSqliteOutbox } from './sqlite-outbox';
export { Dispatcher, type DispatcherOptions, type DispatcherEvents, type OutboxSender, type SendResult } from './dispatcher';
export { isAttemptReference, type AttemptReference, type CallPayload, type OutboxContent, type OutboxKind, type ReadyContent, type SmsPayload } from './outbox-payload';
