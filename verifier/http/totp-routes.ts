import type { FastifyInstance } from 'fastify';
import type { CodeBook } from '../codes';
import { VerifyError } from '../errors';
import type { WebhookEvents } from '../events/webhook-events';
import { isSid, newSid } from '../ids';
import type { Service } from '../store/service-repository';
import type { Challenge, Entity, Factor, TotpConfig, TotpRepository } from '../store/totp-repository';
import { DEFAULT_TOTP_CONFIG, newTotpSecret, totpMatches, totpUri } from '../totp';
import { baseOf, listPage, pageWindow, param, type Form, type PageQuery } from './paging';
import { isoDate } from './serialize';

export interface TotpRoutesDeps {
  totp: TotpRepository;
  codes: CodeBook;
  webhooks: WebhookEvents;
  loadService(sid: string): Promise<Service>;
  now(): number;
}

/** Wrong codes a factor (while unverified) or a challenge takes before it answers 60310 / 60308, as on Twilio. */
export const MAX_TOTP_ATTEMPTS = 5;
const CHALLENGE_TTL_MS = 5 * 60_000;
const IDENTITY = /^[A-Za-z0-9_-]{8,64}$/;
const ALGORITHMS = ['sha1', 'sha256', 'sha512'] as const;

const entityUrl = (base: string, e: { serviceSid: string; identity: string }) => `${base}/v2/Services/${e.serviceSid}/Entities/${encodeURIComponent(e.identity)}`;

function entityJson(entity: Entity, base: string) {
  const url = entityUrl(base, entity);
  return {
    sid: entity.sid, identity: entity.identity, account_sid: entity.accountSid, service_sid: entity.serviceSid,
    date_created: isoDate(entity.createdAt), date_updated: isoDate(entity.updatedAt), url,
    links: { factors: `${url}/Factors`, challenges: `${url}/Challenges`, new_factors: `${url}/Factors` },
  };
}

function factorJson(factor: Factor, base: string) {
  return {
    sid: factor.sid, account_sid: factor.accountSid, service_sid: factor.serviceSid, entity_sid: factor.entitySid, identity: factor.identity,
    date_created: isoDate(factor.createdAt), date_updated: isoDate(factor.updatedAt), friendly_name: factor.friendlyName, status: factor.status,
    factor_type: factor.factorType,
    config: { alg: factor.config.alg, code_length: factor.config.codeLength, skew: factor.config.skew, time_step: factor.config.timeStep },
    metadata: factor.metadata, url: `${entityUrl(base, factor)}/Factors/${factor.sid}`,
  };
}

function challengeJson(challenge: Challenge, base: string) {
  const url = `${entityUrl(base, challenge)}/Challenges/${challenge.sid}`;
  return {
    sid: challenge.sid, account_sid: challenge.accountSid, service_sid: challenge.serviceSid, entity_sid: challenge.entitySid, identity: challenge.identity,
    factor_sid: challenge.factorSid, date_created: isoDate(challenge.createdAt), date_updated: isoDate(challenge.updatedAt),
    date_responded: challenge.respondedAt === null ? null : isoDate(challenge.respondedAt), expiration_date: isoDate(challenge.expiresAt),
    status: challenge.status, responded_reason: challenge.respondedReason, details: challenge.details, hidden_details: challenge.hiddenDetails,
    metadata: challenge.metadata, factor_type: 'totp', url, links: { notifications: `${url}/Notifications` },
  };
}

function integer(form: Form | undefined, name: string, min: number, max: number): number | undefined {
  const raw = param(form, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new VerifyError('INVALID_PARAMETER', `Invalid parameter \`${name}\`: ${min} to ${max}`);
  return value;
}

function jsonObject(form: Form | undefined, name: string): Record<string, unknown> | null {
  const raw = param(form, name);
  if (raw === undefined) return null;
  if (raw.length > 1_024) throw new VerifyError('INVALID_PARAMETER', `Invalid parameter \`${name}\`: at most 1,024 characters`);
  try {
    const value = JSON.parse(raw) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch { /* refused below */ }
  throw new VerifyError('INVALID_PARAMETER', `Invalid parameter \`${name}\`: a JSON object`);
}

/** A new factor's config: the form's `Config.*`, else the service's `Totp.*` settings. */
function totpConfig(form: Form | undefined, defaults: Pick<TotpConfig, 'timeStep' | 'skew' | 'codeLength'>): TotpConfig {
  const alg = param(form, 'Config.Alg')?.toLowerCase() ?? DEFAULT_TOTP_CONFIG.alg;
  if (!(ALGORITHMS as readonly string[]).includes(alg)) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `Config.Alg`: sha1, sha256 or sha512');
  return {
    alg: alg as TotpConfig['alg'],
    timeStep: integer(form, 'Config.TimeStep', 20, 60) ?? defaults.timeStep,
    skew: integer(form, 'Config.Skew', 0, 2) ?? defaults.skew,
    codeLength: integer(form, 'Config.CodeLength', 3, 8) ?? defaults.codeLength,
  };
}

function required(form: Form | undefined, name: string): string {
  const value = param(form, name);
  if (value === undefined || value === '') throw new VerifyError('MISSING_PARAMETER', `Missing required parameter ${name} in the post body`);
  return value;
}

/**
 * TOTP on Verify's paths: Entities, Factors (`FactorType=totp`: a seed bound through an otpauth:// URI,
 * verified with a first code in AuthPayload) and Challenges (approved with a code). Seeds are sealed
 * under the code key (never in clear in the database), codes compared by otpauth within the factor's
 * skew, and every wrong code is counted before it is compared. Push and passkey factors answer 60204.
 */
export function registerTotpRoutes(app: FastifyInstance, deps: TotpRoutesDeps): void {
  const { totp } = deps;
  const path = '/v2/Services/:sid/Entities';
  const loadEntity = async (serviceSid: string, identity: string) => {
    const entity = await totp.entity(serviceSid, identity);
    if (!entity) throw new VerifyError('NOT_FOUND', `The requested resource /Services/${serviceSid}/Entities/${identity} was not found`);
    return entity;
  };
  const loadFactor = async (entity: Entity, sid: string) => {
    const factor = isSid(sid, 'YF') ? await totp.factor(entity.sid, sid) : undefined;
    if (!factor) throw new VerifyError('NOT_FOUND', `The requested resource /Services/${entity.serviceSid}/Entities/${entity.identity}/Factors/${sid} was not found`);
    return factor;
  };
  const loadChallenge = async (entity: Entity, sid: string) => {
    const challenge = isSid(sid, 'YC') ? await totp.challenge(entity.sid, sid, deps.now()) : undefined;
    if (!challenge) throw new VerifyError('NOT_FOUND', `The requested resource /Services/${entity.serviceSid}/Entities/${entity.identity}/Challenges/${sid} was not found`);
    return challenge;
  };
  const newEntity = (service: Service, identity: string): Promise<Entity> => {
    if (!IDENTITY.test(identity)) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `Identity`: 8 to 64 letters, digits, _ or - (an immutable id, not PII)');
    const now = deps.now();
    return totp.upsertEntity({ sid: newSid('YE'), serviceSid: service.sid, accountSid: service.accountSid, identity, createdAt: now, updatedAt: now });
  };
  const factorEvent = (type: 'factor.created' | 'factor.verified' | 'factor.deleted', factor: Factor) =>
    deps.webhooks.emit(factor.serviceSid, type, {
      account_sid: factor.accountSid, service_sid: factor.serviceSid, entity_identity: factor.identity, factor_sid: factor.sid,
      factor_type: factor.factorType, factor_friendly_name: factor.friendlyName,
    });
  /** Counts one wrong-or-right code on the challenge first, then approves it if the code is the factor's. */
  const answer = async (challenge: Challenge, factor: Factor, code: string): Promise<void> => {
    const now = deps.now();
    if (!(await totp.countChallengeAttempt(challenge.sid, MAX_TOTP_ATTEMPTS, now))) {
      if (challenge.status === 'pending' && challenge.expiresAt > now) throw new VerifyError('CHALLENGE_ATTEMPTS');
      return;
    }
    if (totpMatches(deps.codes.open(factor.secretSealed), factor.config, code, now) && await totp.approveChallenge(challenge.sid, now)) {
      deps.webhooks.emit(challenge.serviceSid, 'challenge.approved', {
        account_sid: challenge.accountSid, service_sid: challenge.serviceSid, entity_identity: challenge.identity, factor_sid: factor.sid,
        factor_type: 'totp', factor_friendly_name: factor.friendlyName, challenge_sid: challenge.sid, challenge_status: 'approved',
      });
    }
  };

  // Entities

  app.post<{ Params: { sid: string }; Body: Form }>(path, { schema: { summary: 'Create an entity', tags: ['TOTP'] } }, async (request, reply) => {
    const service = (await deps.loadService(request.params.sid));
    return reply.code(201).send(entityJson(await newEntity(service, required(request.body, 'Identity')), baseOf(request)));
  });

  app.get<{ Params: { sid: string }; Querystring: PageQuery }>(path, { schema: { summary: 'List entities', tags: ['TOTP'] } }, async (request) => {
    const service = (await deps.loadService(request.params.sid));
    const window = pageWindow(request.query);
    const { items, total } = await totp.entities(service.sid, window.offset, window.pageSize);
    const base = baseOf(request);
    return listPage('entities', items.map((e) => entityJson(e, base)), total, window, base, `/v2/Services/${service.sid}/Entities`);
  });

  app.get<{ Params: { sid: string; identity: string } }>(`${path}/:identity`, { schema: { summary: 'Fetch an entity', tags: ['TOTP'] } }, async (request) =>
    entityJson(await loadEntity((await deps.loadService(request.params.sid)).sid, request.params.identity), baseOf(request)));

  app.delete<{ Params: { sid: string; identity: string } }>(`${path}/:identity`, { schema: { summary: 'Delete an entity, its factors and challenges', tags: ['TOTP'] } }, async (request, reply) => {
    const entity = await loadEntity((await deps.loadService(request.params.sid)).sid, request.params.identity);
    await totp.deleteEntity(entity.serviceSid, entity.identity);
    return reply.code(204).send();
  });

  // Factors

  const factors = `${path}/:identity/Factors`;
  app.post<{ Params: { sid: string; identity: string }; Body: Form }>(factors, { schema: { summary: 'Create a factor (TOTP)', tags: ['TOTP'] } }, async (request, reply) => {
    const service = (await deps.loadService(request.params.sid));
    const form = request.body;
    const friendlyName = required(form, 'FriendlyName');
    if (friendlyName.length > 64) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `FriendlyName`: at most 64 characters');
    const type = required(form, 'FactorType');
    if (type !== 'totp') throw new VerifyError('NOT_SUPPORTED', `FactorType ${type.slice(0, 16)} is not supported by Verigate: only totp (push and passkeys need Twilio's SDKs and cloud)`);
    const config = totpConfig(form, service.settings.totp);
    const secret = param(form, 'Binding.Secret') ?? newTotpSecret();
    if (!/^[A-Z2-7]{16,128}=*$/.test(secret)) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `Binding.Secret`: base32, 16 to 128 characters');
    const entity = await newEntity(service, request.params.identity);
    const now = deps.now();
    const factor: Factor = {
      sid: newSid('YF'), entitySid: entity.sid, serviceSid: service.sid, accountSid: service.accountSid, identity: entity.identity, friendlyName,
      status: 'unverified', factorType: 'totp', secretSealed: deps.codes.seal(secret), config, metadata: jsonObject(form, 'Metadata'), attempts: 0,
      createdAt: now, updatedAt: now,
    };
    await totp.insertFactor(factor);
    factorEvent('factor.created', factor);
    // The seed is shown once, here, as Twilio's new_factor does; afterwards only its sealed form exists.
    const issuer = service.settings.totp.issuer ?? service.friendlyName;
    const binding = { secret, uri: totpUri(secret, config, `${issuer}:${friendlyName}`, issuer) };
    return reply.code(201).send({ ...factorJson(factor, baseOf(request)), binding, options: null });
  });

  app.get<{ Params: { sid: string; identity: string }; Querystring: PageQuery }>(factors, { schema: { summary: 'List factors', tags: ['TOTP'] } }, async (request) => {
    const entity = await loadEntity((await deps.loadService(request.params.sid)).sid, request.params.identity);
    const window = pageWindow(request.query);
    const { items, total } = await totp.factors(entity.sid, window.offset, window.pageSize);
    const base = baseOf(request);
    return listPage('factors', items.map((f) => factorJson(f, base)), total, window, base, `/v2/Services/${entity.serviceSid}/Entities/${encodeURIComponent(entity.identity)}/Factors`);
  });

  app.get<{ Params: { sid: string; identity: string; factor: string } }>(`${factors}/:factor`, { schema: { summary: 'Fetch a factor', tags: ['TOTP'] } }, async (request) => {
    const entity = await loadEntity((await deps.loadService(request.params.sid)).sid, request.params.identity);
    return factorJson(await loadFactor(entity, request.params.factor), baseOf(request));
  });

  app.post<{ Params: { sid: string; identity: string; factor: string }; Body: Form }>(`${factors}/:factor`, { schema: { summary: 'Verify (AuthPayload) or rename a factor', tags: ['TOTP'] } }, async (request) => {
    const entity = await loadEntity((await deps.loadService(request.params.sid)).sid, request.params.identity);
    let factor = await loadFactor(entity, request.params.factor);
    const now = deps.now();
    const name = param(request.body, 'FriendlyName');
    if (name !== undefined) await totp.renameFactor(factor.sid, name.slice(0, 64), now);
    const code = param(request.body, 'AuthPayload');
    if (code !== undefined && factor.status === 'unverified') {
      // Counted before compared: five guesses at most, however many arrive at once.
      if (!(await totp.countFactorAttempt(factor.sid, MAX_TOTP_ATTEMPTS, now))) throw new VerifyError('FACTOR_ATTEMPTS');
      if (totpMatches(deps.codes.open(factor.secretSealed), factor.config, code, now)) {
        await totp.verifyFactor(factor.sid, now);
        factorEvent('factor.verified', factor);
      }
    }
    factor = await loadFactor(entity, factor.sid);
    return factorJson(factor, baseOf(request));
  });

  app.delete<{ Params: { sid: string; identity: string; factor: string } }>(`${factors}/:factor`, { schema: { summary: 'Delete a factor', tags: ['TOTP'] } }, async (request, reply) => {
    const entity = await loadEntity((await deps.loadService(request.params.sid)).sid, request.params.identity);
    const factor = await loadFactor(entity, request.params.factor);
    await totp.deleteFactor(entity.sid, factor.sid);
    factorEvent('factor.deleted', factor);
    return reply.code(204).send();
  });

  // Challenges

  const challenges = `${path}/:identity/Challenges`;
  app.post<{ Params: { sid: string; identity: string }; Body: Form }>(challenges, { schema: { summary: 'Create a challenge (TOTP: AuthPayload)', tags: ['TOTP'] } }, async (request, reply) => {
    const entity = await loadEntity((await deps.loadService(request.params.sid)).sid, request.params.identity);
    const form = request.body;
    const factor = await loadFactor(entity, required(form, 'FactorSid'));
    if (factor.status !== 'verified') throw new VerifyError('INVALID_PARAMETER', `Invalid parameter \`FactorSid\`: factor ${factor.sid} is not verified yet (verify it with AuthPayload first)`);
    const now = deps.now();
    const expiry = param(form, 'ExpirationDate');
    const expiresAt = expiry === undefined ? now + CHALLENGE_TTL_MS : Date.parse(expiry);
    if (Number.isNaN(expiresAt) || expiresAt <= now) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `ExpirationDate`: an ISO-8601 date in the future');
    const message = param(form, 'Details.Message');
    const challenge: Challenge = {
      sid: newSid('YC'), factorSid: factor.sid, entitySid: entity.sid, serviceSid: entity.serviceSid, accountSid: entity.accountSid, identity: entity.identity,
      status: 'pending', respondedReason: 'none', details: message === undefined ? null : { message: message.slice(0, 1_024), fields: [], date: new Date(now).toISOString() },
      hiddenDetails: jsonObject(form, 'HiddenDetails'), metadata: null, attempts: 0, expiresAt, respondedAt: null, createdAt: now, updatedAt: now,
    };
    await totp.insertChallenge(challenge);
    const code = param(form, 'AuthPayload');
    if (code !== undefined) await answer(challenge, factor, code);
    return reply.code(201).send(challengeJson(await loadChallenge(entity, challenge.sid), baseOf(request)));
  });

  app.get<{ Params: { sid: string; identity: string }; Querystring: PageQuery & { FactorSid?: string; Status?: string } }>(challenges, { schema: { summary: 'List challenges', tags: ['TOTP'] } }, async (request) => {
    const entity = await loadEntity((await deps.loadService(request.params.sid)).sid, request.params.identity);
    const window = pageWindow(request.query);
    const filter = { factorSid: request.query.FactorSid, status: request.query.Status };
    const { items, total } = await totp.challenges(entity.sid, filter, window.offset, window.pageSize, deps.now());
    const base = baseOf(request);
    return listPage('challenges', items.map((c) => challengeJson(c, base)), total, window, base, `/v2/Services/${entity.serviceSid}/Entities/${encodeURIComponent(entity.identity)}/Challenges`,
      Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as Record<string, string>);
  });

  app.get<{ Params: { sid: string; identity: string; challenge: string } }>(`${challenges}/:challenge`, { schema: { summary: 'Fetch a challenge', tags: ['TOTP'] } }, async (request) => {
    const entity = await loadEntity((await deps.loadService(request.params.sid)).sid, request.params.identity);
    return challengeJson(await loadChallenge(entity, request.params.challenge), baseOf(request));
  });

  app.post<{ Params: { sid: string; identity: string; challenge: string }; Body: Form }>(`${challenges}/:challenge`, { schema: { summary: 'Answer a challenge (AuthPayload)', tags: ['TOTP'] } }, async (request) => {
    const entity = await loadEntity((await deps.loadService(request.params.sid)).sid, request.params.identity);
    const challenge = await loadChallenge(entity, request.params.challenge);
    const code = required(request.body, 'AuthPayload');
    if (challenge.status === 'pending') await answer(challenge, await loadFactor(entity, challenge.factorSid), code);
    return challengeJson(await loadChallenge(entity, challenge.sid), baseOf(request));
  });

  app.post<{ Params: { sid: string; identity: string; challenge: string } }>(`${challenges}/:challenge/Notifications`, { schema: { summary: 'Push notifications (not supported)', tags: ['TOTP'] } }, async () => {
    throw new VerifyError('NOT_SUPPORTED', 'Notifications are for push factors, which Verigate does not support: use TOTP');
  });
}
