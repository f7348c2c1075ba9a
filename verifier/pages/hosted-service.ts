import { newSid } from '../ids';
import type { Service, VerifyStore } from '../store/verify-store';

export interface HostedServiceOptions {
  accountSid: string;
  friendlyName: string;
  ttlSeconds: number;
}

/**
 * The Verify service behind the hosted pages. Its SID is chosen once and kept
 * in the `secrets` table; the service is created on first use, and again if
 * someone deleted it through the API.
 */
export class HostedService {
  readonly #store: VerifyStore;
  readonly #options: HostedServiceOptions;
  #sid: string | undefined;

  constructor(store: VerifyStore, options: HostedServiceOptions) {
    this.#store = store;
    this.#options = options;
  }

  get(now: number): Service {
    const { accountSid, friendlyName, ttlSeconds } = this.#options;
    this.#sid ??= this.#store.secret(`hosted-pages-service:${accountSid}`, () => newSid('VA'), now);
    const existing = this.#store.service(accountSid, this.#sid);
    if (existing) return existing;
    const service: Service = {
      sid: this.#sid,
      accountSid,
      friendlyName,
      codeLength: 6,
      psd2Enabled: false,
      doNotShareWarningEnabled: false,
      customCodeEnabled: false,
      verificationTtl: ttlSeconds,
      statusCallback: null,
      createdAt: now,
      updatedAt: now,
    };
    this.#store.transaction(() => {
      if (!this.#store.service(accountSid, service.sid)) this.#store.insertService(service);
    });
    return this.#store.service(accountSid, service.sid)!;
  }
}
