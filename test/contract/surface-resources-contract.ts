import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newSid } from '../../verifier/ids';
import type { MessagingConfiguration } from '../../verifier/store/messaging-configuration-repository';
import type { Webhook } from '../../verifier/store/webhook-repository';
import { ACCOUNT, freshStorage, storedService, type OpenStorage } from './surface-fixtures';

const messagingServiceSid = () => `MG${randomBytes(16).toString('hex')}`;

export function describeSafeListContract(open: OpenStorage): void {
  describe('safe list', () => {
    const s = freshStorage(open);

    it('adds a number once (a second add returns the first entry), answers has, and removes it', async () => {
      const { safeList } = s.storage;
      const entry = { sid: newSid('GN'), phoneNumber: '+4915112345678', accountSid: ACCOUNT, createdAt: 1_000 };
      expect(await safeList.add(entry)).toEqual(entry);
      expect(await safeList.add({ ...entry, sid: newSid('GN'), createdAt: 2_000 })).toEqual(entry);
      expect(await safeList.get('+4915112345678')).toEqual(entry);
      expect(await safeList.has('+4915112345678')).toBe(true);
      expect(await safeList.has('+4915112345679')).toBe(false);
      expect(await safeList.remove('+4915112345678')).toBe(true);
      expect(await safeList.remove('+4915112345678')).toBe(false);
      expect(await safeList.has('+4915112345678')).toBe(false);
    });
  });
}

export function describeMessagingConfigurationContract(open: OpenStorage): void {
  describe('messaging configurations', () => {
    const s = freshStorage(open);

    it('keeps one configuration per service and country, lists them oldest first, updates and deletes them', async () => {
      const { storage } = s;
      const service = await storedService(storage);
      const config = (country: string, createdAt: number): MessagingConfiguration =>
        ({ serviceSid: service.sid, accountSid: ACCOUNT, country, messagingServiceSid: messagingServiceSid(), createdAt, updatedAt: createdAt });
      const de = config('DE', 2_000);
      const all = config('all', 1_000);
      expect(await storage.messagingConfigurations.insert(de)).toBe(true);
      expect(await storage.messagingConfigurations.insert(all)).toBe(true);
      expect(await storage.messagingConfigurations.insert(config('DE', 3_000))).toBe(false);
      expect(await storage.messagingConfigurations.get(service.sid, 'DE')).toEqual(de);
      expect(await storage.messagingConfigurations.list(service.sid, 0, 10)).toEqual({ items: [all, de], total: 2 });
      expect(await storage.messagingConfigurations.list(service.sid, 1, 10)).toEqual({ items: [de], total: 2 });
      const next = messagingServiceSid();
      expect(await storage.messagingConfigurations.update(service.sid, 'DE', next, 4_000)).toEqual({ ...de, messagingServiceSid: next, updatedAt: 4_000 });
      expect(await storage.messagingConfigurations.update(service.sid, 'FR', next, 4_000)).toBeUndefined();
      expect(await storage.messagingConfigurations.delete(service.sid, 'DE')).toBe(true);
      expect(await storage.messagingConfigurations.get(service.sid, 'DE')).toBeUndefined();
    });
  });
}

export function describeWebhookContract(open: OpenStorage): void {
  describe('webhooks', () => {
    const s = freshStorage(open);

    it('stores webhooks per service, finds the enabled subscribers of an event type, and changes only the given fields', async () => {
      const { storage } = s;
      const service = await storedService(storage);
      const hook = (eventTypes: string[], createdAt: number, status: Webhook['status'] = 'enabled'): Webhook => ({
        sid: newSid('YW'), serviceSid: service.sid, accountSid: ACCOUNT, friendlyName: `hook ${createdAt}`, eventTypes, status, version: 'v2',
        webhookUrl: `https://hooks.example.test/${createdAt}`, webhookMethod: 'POST', createdAt, updatedAt: createdAt,
      });
      const approved = hook(['factor.verified', 'challenge.approved'], 1_000);
      const everything = hook(['*'], 2_000);
      const disabled = hook(['*'], 3_000, 'disabled');
      for (const h of [approved, everything, disabled]) await storage.webhooks.insert(h);

      expect(await storage.webhooks.get(service.sid, approved.sid)).toEqual(approved);
      expect(await storage.webhooks.list(service.sid, 0, 2)).toEqual({ items: [approved, everything], total: 3 });
      expect((await storage.webhooks.subscribers(service.sid, 'challenge.approved')).map((h) => h.sid).sort()).toEqual([approved.sid, everything.sid].sort());
      expect((await storage.webhooks.subscribers(service.sid, 'factor.deleted')).map((h) => h.sid)).toEqual([everything.sid]);

      expect(await storage.webhooks.update(service.sid, approved.sid, { status: 'disabled', eventTypes: ['factor.deleted'] }, 4_000))
        .toEqual({ ...approved, status: 'disabled', eventTypes: ['factor.deleted'], updatedAt: 4_000 });
      expect(await storage.webhooks.update(service.sid, approved.sid, { friendlyName: 'renamed' }, 5_000))
        .toEqual({ ...approved, status: 'disabled', eventTypes: ['factor.deleted'], friendlyName: 'renamed', updatedAt: 5_000 });
      expect(await storage.webhooks.update(service.sid, newSid('YW'), { friendlyName: 'x' }, 5_000)).toBeUndefined();
      expect(await storage.webhooks.delete(service.sid, approved.sid)).toBe(true);
      expect(await storage.webhooks.get(service.sid, approved.sid)).toBeUndefined();
    });
  });
}
