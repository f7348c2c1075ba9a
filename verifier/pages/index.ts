import type { Clock } from '../../gateway/clock';
import type { CodeBook } from '../codes';
import type { VerifierMetrics } from '../metrics';
import type { SessionTokens } from '../session';
import type { VerifierStorage } from '../store/storage';
import type { VerificationEngine } from '../verification-engine';
import { HostedService } from './hosted-service';
import { PageSessions } from './page-session';
import type { HostedPagesDeps } from './pages-routes';
import { PageRateLimiter } from './rate-limiter';
import type { HostedPagesSettings } from './settings';

export { registerHostedPages, type HostedPagesDeps } from './pages-routes';
export { DEFAULT_HOSTED_PAGES_SETTINGS, hostedPagesSettings, type HostedPagesOptions, type HostedPagesSettings, type PageLimits, type RateWindow } from './settings';
export { CONTENT_SECURITY_POLICY } from './layout';

export interface HostedPagesParts {
  storage: VerifierStorage;
  engine: VerificationEngine;
  codes: CodeBook;
  tokens: SessionTokens;
  accountSid: string;
  defaultTtlSeconds: number;
  settings: HostedPagesSettings;
  clock: Clock;
  publicUrl(): string;
  metrics?: VerifierMetrics;
}

/** Where earlier versions kept the cookie key: in the database, where a copy of it could forge page sessions. */
const LEGACY_COOKIE_KEY = 'page-session-key';

/** Erases the cookie key an earlier version stored, leaving no copy in the database's files. */
export async function eraseLegacyCookieKey(storage: VerifierStorage): Promise<void> {
  if ((await storage.secrets.get(LEGACY_COOKIE_KEY)) !== undefined) await storage.secrets.erase(LEGACY_COOKIE_KEY);
}

/** Everything the page routes need, built from the verifier's parts; the cookie key is derived from the code key, never stored. */
export function hostedPagesDeps(parts: HostedPagesParts): HostedPagesDeps {
  const { storage, clock, settings } = parts;
  const cookieKey = parts.codes.subkey('page-session');
  return {
    engine: parts.engine,
    service: new HostedService(storage, { accountSid: parts.accountSid, friendlyName: settings.serviceName, ttlSeconds: parts.defaultTtlSeconds }),
    sessions: new PageSessions(cookieKey, clock, settings.sessionTtlSeconds),
    limiter: new PageRateLimiter(storage, clock, settings.limits),
    tokens: parts.tokens,
    settings,
    publicUrl: parts.publicUrl,
    now: () => clock.now(),
    metrics: parts.metrics,
  };
}
