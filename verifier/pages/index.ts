import { randomBytes } from 'node:crypto';
import type { Clock } from '../../gateway/clock';
import type { VerifierMetrics } from '../metrics';
import type { SessionTokens } from '../session';
import { PagesStore } from '../store/pages-store';
import type { VerifyStore } from '../store/verify-store';
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
  store: VerifyStore;
  engine: VerificationEngine;
  tokens: SessionTokens;
  accountSid: string;
  defaultTtlSeconds: number;
  settings: HostedPagesSettings;
  clock: Clock;
  publicUrl(): string;
  metrics?: VerifierMetrics;
}

/** Everything the page routes need, built from the verifier's parts; the cookie key is kept in the database. */
export function hostedPagesDeps(parts: HostedPagesParts): HostedPagesDeps {
  const { store, clock, settings } = parts;
  const cookieKey = Buffer.from(store.secret('page-session-key', () => randomBytes(32).toString('base64'), clock.now()), 'base64');
  return {
    engine: parts.engine,
    service: new HostedService(store, { accountSid: parts.accountSid, friendlyName: settings.serviceName, ttlSeconds: parts.defaultTtlSeconds }),
    sessions: new PageSessions(cookieKey, clock, settings.sessionTtlSeconds),
    limiter: new PageRateLimiter(new PagesStore(store), clock, settings.limits),
    tokens: parts.tokens,
    settings,
    publicUrl: parts.publicUrl,
    now: () => clock.now(),
    metrics: parts.metrics,
  };
}
