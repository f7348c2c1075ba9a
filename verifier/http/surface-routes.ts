import type { FastifyInstance } from 'fastify';
import type { CodeBook } from '../codes';
import { VerifyError } from '../errors';
import { isSid } from '../ids';
import type { ServiceRepository } from '../store/service-repository';
import type { VerifySurface } from '../verify-surface';
import { registerAttemptRoutes } from './attempt-routes';
import { registerMessagingConfigurationRoutes } from './messaging-configuration-routes';
import { registerRateLimitRoutes } from './rate-limit-routes';
import { registerSafeListRoutes } from './safe-list-routes';
import { registerTemplateRoutes } from './template-routes';
import { registerTotpRoutes } from './totp-routes';
import { registerUnsupportedRoutes } from './unsupported-routes';
import { registerWebhookRoutes } from './webhook-routes';

export interface SurfaceRoutesDeps {
  surface: VerifySurface;
  services: ServiceRepository;
  codes: CodeBook;
  accountSid: string;
  now(): number;
}

/** Registers the Verify v2 resources of VerifySurface, behind the API's credentials (the caller's scope). */
export function registerSurfaceRoutes(api: FastifyInstance, deps: SurfaceRoutesDeps): void {
  const { surface, accountSid, now } = deps;
  const loadService = async (sid: string) => {
    const service = isSid(sid, 'VA') ? await deps.services.get(accountSid, sid) : undefined;
    if (!service) throw new VerifyError('NOT_FOUND', `The requested resource /Services/${sid} was not found`);
    return service;
  };
  registerRateLimitRoutes(api, { storage: surface.storage, loadService, now });
  registerAttemptRoutes(api, { attempts: surface.attempts, accountSid });
  registerSafeListRoutes(api, { safeList: surface.safeList, accountSid, now });
  registerTemplateRoutes(api, { accountSid });
  registerMessagingConfigurationRoutes(api, { messagingConfigurations: surface.messagingConfigurations, loadService, now });
  registerWebhookRoutes(api, { webhooks: surface.webhooks, loadService, now });
  registerTotpRoutes(api, { totp: surface.totp, codes: deps.codes, webhooks: surface.webhookEvents, loadService, now });
  registerUnsupportedRoutes(api);
}
