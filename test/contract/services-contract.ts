import { describe, expect, it } from 'vitest';
import { applySettings, DEFAULT_SERVICE_SETTINGS } from '../../verifier/service-settings';
import { aService, aVerification, T0 } from './core-fixtures';
import { ACCOUNT, freshStorage, type OpenStorage } from './surface-fixtures';

const OTHER_ACCOUNT = 'AC00000000000000000000000000000002';

export function describeServiceContract(open: OpenStorage): void {
  describe('services', () => {
    const s = freshStorage(open);

    it('stores a service with its booleans, lists an account\'s oldest first with the total, and keeps accounts apart', async () => {
      const { services } = s.storage;
      const first = aService({ psd2Enabled: true, statusCallback: 'https://example.test/events' });
      const second = aService({ createdAt: T0 + 1, updatedAt: T0 + 1, customCodeEnabled: true });
      const foreign = aService({ accountSid: OTHER_ACCOUNT });
      for (const service of [second, foreign, first]) await services.insert(service);
      expect(await services.get(ACCOUNT, first.sid)).toEqual(first);
      expect(await services.get(OTHER_ACCOUNT, first.sid)).toBeUndefined();
      expect(await services.list(ACCOUNT, 0, 1)).toEqual({ services: [first], total: 2 });
      expect(await services.list(ACCOUNT, 1, 10)).toEqual({ services: [second], total: 2 });
    });

    it('updates only the given fields in one statement and answers the stored row; an unknown or foreign service is undefined', async () => {
      const { services } = s.storage;
      const service = aService();
      await services.insert(service);
      const updated = await services.update(ACCOUNT, service.sid, { friendlyName: 'Renamed', doNotShareWarningEnabled: true, statusCallback: null }, T0 + 5);
      expect(updated).toEqual({ ...service, friendlyName: 'Renamed', doNotShareWarningEnabled: true, updatedAt: T0 + 5 });
      expect(await services.update(ACCOUNT, service.sid, {}, T0 + 9)).toEqual(updated);
      expect(await services.update(OTHER_ACCOUNT, service.sid, { friendlyName: 'Stolen' }, T0 + 6)).toBeUndefined();
      expect(await services.update(ACCOUNT, 'VA' + '0'.repeat(32), { friendlyName: 'Nobody' }, T0 + 6)).toBeUndefined();
    });

    it('keeps a service\'s further settings (one JSON column) through insert, get, list, update and the join with a verification', async () => {
      const { services, verifications } = s.storage;
      const settings = applySettings(DEFAULT_SERVICE_SETTINGS, { LookupEnabled: 'true', TtsName: 'Polly.Joanna', 'Totp.Issuer': 'Acme', 'Passkeys.RelyingParty.Origins': 'https://a.example,https://b.example' });
      const service = aService({ settings });
      await services.insert(service);
      expect((await services.get(ACCOUNT, service.sid))!.settings).toEqual(settings);
      const updated = await services.update(ACCOUNT, service.sid, { settings: applySettings(settings, { DtmfInputRequired: 'true' }) }, T0 + 1);
      expect(updated!.settings).toMatchObject({ lookupEnabled: true, dtmfInputRequired: true, ttsName: 'Polly.Joanna', totp: { issuer: 'Acme', timeStep: 30 } });
      const verification = aVerification(service);
      await verifications.insert(verification);
      expect((await verifications.withService(verification.sid))!.service.settings).toEqual(updated!.settings);
      expect((await services.list(ACCOUNT, 0, 100)).services.find((x) => x.sid === service.sid)!.settings.passkeys.relyingParty.origins).toEqual(['https://a.example', 'https://b.example']);
    });

    it('deletes a service with its verifications, only in its account', async () => {
      const { services, verifications } = s.storage;
      const service = aService();
      await services.insert(service);
      const verification = aVerification(service);
      await verifications.insert(verification);
      expect(await services.delete(OTHER_ACCOUNT, service.sid)).toBe(false);
      expect(await services.delete(ACCOUNT, service.sid)).toBe(true);
      expect(await services.delete(ACCOUNT, service.sid)).toBe(false);
      expect(await verifications.bySid(verification.sid)).toBeUndefined();
    });

    it('creates a well-known service once when many ask for it at once, and hands every caller that one row', async () => {
      const { services } = s.storage;
      const sid = aService().sid;
      const rows = await Promise.all(Array.from({ length: 20 }, (_, i) => services.insertIfAbsent(aService({ sid, friendlyName: `caller ${i}` }))));
      expect(new Set(rows.map((row) => row.friendlyName)).size).toBe(1);
      expect((await services.list(ACCOUNT, 0, 50)).total).toBe(1);
    });
  });
}
