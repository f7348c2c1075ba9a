export { OutboxStore, type OutboxRow, type OutboxKind, type OutboxStatus, type NewOutboxItem, type PartDelivery } from './outbox-store';
export { Dispatcher, type DispatcherOptions, type DispatcherEvents, type OutboxSender, type SendResult } from './dispatcher';
