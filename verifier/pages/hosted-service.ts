import { newSid } from '../ids';
import { DEFAULT_SERVICE_SETTINGS } from '../service-settings';
import type { Service } from '../store/service-repository';
import type { VerifierStorage } from '../store/storage';

export interface HostedServiceOptions {
  accountSid: string;
  friendlyName: string;
  ttlSeconds: number;
}

/**
 * The Verify service behind the hosted pages. Its SID is chosen once and kept
 * in the secrets (one value for every instance on the database); the service
 * is created on first use, and again if someone deleted it through the API.
 */
export class HostedService {
  readonly #storage: VerifierStorage;
  readonly #options: HostedServiceOptions;
  #sid: Promise<string> | undefined;

  constructor(storage: VerifierStorage, options: HostedServiceOptions) {
    this.#storage = storage;
    this.#options = options;
  }

  async get(now: number): Promise<Service> {
    const { accountSid, friendlyName, ttlSeconds } = this.#options;
    if (!this.#sid) {
      this.#sid = this.#storage.secrets.getOrCreate(`hosted-pages-service:${accountSid}`, () => newSid('VA'), now);
      // A failed read is tried again on the next request.
      this.#sid.catch(() => (this.#sid = undefined));
    }
    const sid = await this.#sid;
    const existing = await this.#storage.services.get(accountSid, sid);
    if (existing) return existing;
    return this.#storage.services.insertIfAbsent({
      sid,
      accountSid,
      friendlyName,
      codeLength: 6,
      psd2Enabled: false,
      doNotShareWarningEnabled: false,
      customCodeEnabled: false,
      settings: DEFAULT_SERVICE_SETTINGS,
      verificationTtl: ttlSeconds,
      statusCallback: null,
      createdAt: now,
      updatedAt: now,
    });
  }
}
