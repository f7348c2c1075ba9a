export interface RateWindow {
  max: number;
  windowMs: number;
}

export interface PageLimits {
  /** Code sends (start and "send a new code") per client IP. */
  startsPerIp: RateWindow;
  /** Code sends per phone number. */
  startsPerNumber: RateWindow;
  /** Code checks per client IP. */
  checksPerIp: RateWindow;
  /** Code checks per phone number. */
  checksPerNumber: RateWindow;
}

export interface HostedPagesSettings {
  /** Serve the pages at `/` (default true). */
  enabled: boolean;
  /** Friendly name of the Verify service the pages create on first use; it appears in the code message. */
  serviceName: string;
  /** Seconds a page session (its cookie) lives without a request (default 30 minutes). */
  sessionTtlSeconds: number;
  /** `Secure` cookies: 'auto' sets it when the public URL is https. */
  secureCookies: boolean | 'auto';
  limits: PageLimits;
}

const minutes = (n: number) => n * 60_000;

export const DEFAULT_HOSTED_PAGES_SETTINGS: HostedPagesSettings = {
  enabled: true,
  serviceName: 'Verigate',
  sessionTtlSeconds: 30 * 60,
  secureCookies: 'auto',
  limits: {
    startsPerIp: { max: 10, windowMs: minutes(15) },
    startsPerNumber: { max: 5, windowMs: minutes(15) },
    checksPerIp: { max: 30, windowMs: minutes(15) },
    checksPerNumber: { max: 15, windowMs: minutes(15) },
  },
};

export type HostedPagesOptions = Partial<Omit<HostedPagesSettings, 'limits'>> & { limits?: Partial<PageLimits> };

/** Defaults overlaid with `partial` (one level deep for `limits`), checked: a bad value fails naming its setting. */
export function hostedPagesSettings(partial: HostedPagesOptions = {}): HostedPagesSettings {
  const settings = { ...DEFAULT_HOSTED_PAGES_SETTINGS, ...partial, limits: { ...DEFAULT_HOSTED_PAGES_SETTINGS.limits, ...partial.limits } };
  const name = settings.serviceName.trim();
  if (!name || name.length > 64) throw new Error('hostedPages.serviceName must be 1 to 64 characters');
  if (!Number.isInteger(settings.sessionTtlSeconds) || settings.sessionTtlSeconds < 60) {
    throw new Error(`hostedPages.sessionTtlSeconds must be a whole number of seconds, at least 60, got ${settings.sessionTtlSeconds}`);
  }
  for (const [key, window] of Object.entries(settings.limits)) {
    if (!Number.isInteger(window.max) || window.max < 1 || !(window.windowMs > 0)) {
      throw new Error(`hostedPages.limits.${key} needs max >= 1 and windowMs > 0, got ${JSON.stringify(window)}`);
    }
  }
  return { ...settings, serviceName: name };
}
