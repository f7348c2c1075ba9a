import { afterEach, beforeEach } from 'vitest';
import { newSid } from '../../verifier/ids';
import type { Service } from '../../verifier/store/service-repository';
import type { VerifierStorage } from '../../verifier/store/storage';
import { DEFAULT_SERVICE_SETTINGS } from '../../verifier/service-settings';

/** Opens a fresh, migrated, empty storage of one backend (test/contract/sqlite.test.ts, postgres.test.ts). */
export type OpenStorage = () => Promise<{ storage: VerifierStorage; close(): Promise<void> }>;

export const ACCOUNT = 'AC00000000000000000000000000000001';

/** A fresh storage for every test of the group, closed after it; read `.storage` inside a test. */
export function freshStorage(open: OpenStorage): { readonly storage: VerifierStorage } {
  let current: Awaited<ReturnType<OpenStorage>> | undefined;
  beforeEach(async () => {
    current = await open();
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return {
    get storage() {
      if (!current) throw new Error('storage is open only inside a test');
      return current.storage;
    },
  };
}

/** Stores a service (the rows of the surface hang off one) and returns it. */
export async function storedService(storage: VerifierStorage, now = 1_700_000_000_000): Promise<Service> {
  const service: Service = {
    sid: newSid('VA'), accountSid: ACCOUNT, friendlyName: 'Contract', codeLength: 6, psd2Enabled: false, doNotShareWarningEnabled: false,
    customCodeEnabled: false, verificationTtl: 600, statusCallback: null, settings: DEFAULT_SERVICE_SETTINGS, createdAt: now, updatedAt: now,
  };
  await storage.services.insert(service);
  return service;
}
