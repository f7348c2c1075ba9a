export interface Webhook {
  sid: string;
  serviceSid: string;
  accountSid: string;
  friendlyName: string;
  eventTypes: string[];
  status: 'enabled' | 'disabled';
  version: 'v2';
  webhookUrl: string;
  webhookMethod: 'POST';
  createdAt: number;
  updatedAt: number;
}

/** Fields a webhook update may change; an undefined field keeps its value. */
export type WebhookUpdate = Partial<Pick<Webhook, 'friendlyName' | 'eventTypes' | 'status' | 'webhookUrl'>>;

/** Services/{VA}/Webhooks: where a service's Verify events go. */
export interface WebhookRepository {
  insert(hook: Webhook): Promise<void>;
  get(serviceSid: string, sid: string): Promise<Webhook | undefined>;
  list(serviceSid: string, offset: number, limit: number): Promise<{ items: Webhook[]; total: number }>;
  /** The enabled webhooks of a service subscribed to `eventType` (or to `*`). */
  subscribers(serviceSid: string, eventType: string): Promise<Webhook[]>;
  /** Changes the given fields in one statement (no read-modify-write); undefined when there is no such webhook. */
  update(serviceSid: string, sid: string, changes: WebhookUpdate, now: number): Promise<Webhook | undefined>;
  delete(serviceSid: string, sid: string): Promise<boolean>;
}
