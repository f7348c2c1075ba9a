import type { FastifyInstance } from 'fastify';
import { VerifyError } from '../errors';
import { isSid, newSid } from '../ids';
import type { Service, ServiceRepository, ServiceUpdate } from '../store/service-repository';
import type { VerificationEngine } from '../verification-engine';
import type { VerifierMetrics } from '../metrics';
import type { Overflow } from '../rate-limit-buckets';
import { baseOf, listPage, pageWindow } from './paging';
import { parseRateLimitsParam } from './rate-limit-routes';
import { limited, required, TEXT_LIMITS } from '../text-limits';
import { serviceJson, verificationCheckJson, verificationJson } from './serialize';
import { lookupCarrier } from '../number-lookup';
import { applySettings, DEFAULT_SERVICE_SETTINGS, hasSettings, parseFlag, SETTING_PARAMETERS } from '../service-settings';

export interface VerifyRoutesDeps {
  services: ServiceRepository;
  /** Programmable rate limits a start's `RateLimits` meters against. */
  /** Counts a start against its `RateLimits` buckets (verifier/rate-limit-buckets.ts); the first full one, if any. */
  takeRateLimits?(serviceSid: string, values: Record<string, string>, now: number): Promise<Overflow | undefined>;
  engine: VerificationEngine;
  accountSid: string;
  defaultTtlSeconds: number;
  metrics: VerifierMetrics;
  now(): number;
}

type Form = Record<string, string | boolean | number | undefined>;

const text = (description: string) => ({ type: 'string', description });
// A string, parsed by `parseFlag`: older Twilio SDKs send `True` and `False`, which a boolean schema refuses.
const flag = (description: string) => ({ type: 'string', description: `${description}: true or false` });

const serviceBody = {
  type: 'object',
  properties: {
    FriendlyName: text('Name shown in the code message (required at create)'),
    CodeLength: { type: 'integer', description: 'Digits in a code, 4 to 10 (default 6)' },
    Psd2Enabled: flag('Require Amount and Payee at start and check, and put them in the message'),
    DoNotShareWarningEnabled: flag('Add a do-not-share warning to the message'),
    CustomCodeEnabled: flag('Allow CustomCode at start'),
    VerificationTtl: { type: 'integer', description: 'Seconds a verification stays pending, 60 to 86400 (default 600). Verigate extension.' },
    StatusCallback: text('URL that receives signed verification and delivery events. Verigate extension.'),
    ...Object.fromEntries(Object.entries(SETTING_PARAMETERS).map(([name, description]) => [name, text(description)])),
  },
} as const;

const errorSchema = {
  type: 'object',
  properties: { code: { type: 'integer' }, message: { type: 'string' }, more_info: { type: 'string' }, status: { type: 'integer' } },
} as const;

function str(form: Form, name: string): string | undefined {
  const value = form[name];
  return value === undefined ? undefined : String(value);
}

/** A verification's `lookup.carrier`: filled when the service has LookupEnabled, as on Twilio. */
const carrierOf = (service: Service, verification: { to: string }) => (service.settings.lookupEnabled ? lookupCarrier(verification.to) : null);

/** A form body that came without a Content-Type, read as the form Twilio would take it for. */
function formOf(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}

function serviceChanges(form: Form): ServiceUpdate {
  const changes: ServiceUpdate = {};
  if (form['FriendlyName'] !== undefined) {
    const name = String(form['FriendlyName']).trim();
    if (!name || [...name].length > TEXT_LIMITS.FriendlyName) throw new VerifyError('INVALID_PARAMETER', `Invalid parameter \`FriendlyName\`: 1 to ${TEXT_LIMITS.FriendlyName} characters`);
    changes.friendlyName = name;
  }
  if (form['CodeLength'] !== undefined) {
    const length = Number(form['CodeLength']);
    if (!Number.isInteger(length) || length < 4 || length > 10) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `CodeLength`: 4 to 10');
    changes.codeLength = length;
  }
  if (form['VerificationTtl'] !== undefined) {
    const ttl = Number(form['VerificationTtl']);
    if (!Number.isInteger(ttl) || ttl < 60 || ttl > 86_400) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `VerificationTtl`: 60 to 86400 seconds');
    changes.verificationTtl = ttl;
  }
  if (form['StatusCallback'] !== undefined) {
    const url = limited('StatusCallback', String(form['StatusCallback']))!;
    if (url !== '' && !/^https?:\/\/\S+$/.test(url)) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `StatusCallback`: an http(s) URL');
    changes.statusCallback = url || null;
  }
  for (const [param, key] of [['Psd2Enabled', 'psd2Enabled'], ['DoNotShareWarningEnabled', 'doNotShareWarningEnabled'], ['CustomCodeEnabled', 'customCodeEnabled']] as const) {
    if (form[param] !== undefined) changes[key] = parseFlag(param, form[param]);
  }
  return changes;
}

/** The Verify v2 resources (docs/verify-api.md), as the twilio client calls them. */
export function registerVerifyRoutes(app: FastifyInstance, deps: VerifyRoutesDeps): void {
  const { services, engine, accountSid } = deps;
  // Twilio reads a POST body as a form whatever its Content-Type says, also without one.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, formOf(String(body))));

  const loadService = async (sid: string): Promise<Service> => {
    const service = isSid(sid, 'VA') ? await services.get(accountSid, sid) : undefined;
    if (!service) throw new VerifyError('NOT_FOUND', `The requested resource /Services/${sid} was not found`);
    return service;
  };

  app.post<{ Body: Form }>('/v2/Services', {
    schema: { summary: 'Create a service', tags: ['Services'], consumes: ['application/x-www-form-urlencoded'], body: serviceBody, response: { 400: errorSchema } },
  }, async (request, reply) => {
    const form = request.body ?? {};
    required('FriendlyName', str(form, 'FriendlyName'));
    const changes = serviceChanges(form);
    const now = deps.now();
    const service: Service = {
      sid: newSid('VA'),
      accountSid,
      friendlyName: changes.friendlyName!,
      codeLength: changes.codeLength ?? 6,
      psd2Enabled: changes.psd2Enabled ?? false,
      doNotShareWarningEnabled: changes.doNotShareWarningEnabled ?? false,
      customCodeEnabled: changes.customCodeEnabled ?? false,
      verificationTtl: changes.verificationTtl ?? deps.defaultTtlSeconds,
      statusCallback: changes.statusCallback ?? null,
      settings: applySettings(DEFAULT_SERVICE_SETTINGS, form),
      createdAt: now,
      updatedAt: now,
    };
    await services.insert(service);
    return reply.code(201).send(serviceJson(service, baseOf(request)));
  });

  app.get<{ Querystring: { PageSize?: number; Page?: number } }>('/v2/Services', {
    schema: {
      summary: 'List services (Twilio paging)',
      tags: ['Services'],
      querystring: { type: 'object', properties: { PageSize: { type: 'integer', minimum: 1, maximum: 1000 }, Page: { type: 'integer', minimum: 0 }, PageToken: { type: 'string' } } },
    },
  }, async (request) => {
    const window = pageWindow(request.query);
    const { services: page, total } = await services.list(accountSid, window.offset, window.pageSize);
    const base = baseOf(request);
    return listPage('services', page.map((s) => serviceJson(s, base)), total, window, base, '/v2/Services');
  });

  app.get<{ Params: { sid: string } }>('/v2/Services/:sid', { schema: { summary: 'Fetch a service', tags: ['Services'] } }, async (request) =>
    serviceJson(await loadService(request.params.sid), baseOf(request)));

  app.post<{ Params: { sid: string }; Body: Form }>('/v2/Services/:sid', {
    schema: { summary: 'Update a service', tags: ['Services'], consumes: ['application/x-www-form-urlencoded'], body: serviceBody },
  }, async (request) => {
    const form = request.body ?? {};
    const changes = serviceChanges(form);
    // Settings are one JSON value: the form's ones are applied to the stored ones.
    if (hasSettings(form)) changes.settings = applySettings((await loadService(request.params.sid)).settings, form);
    const updated = isSid(request.params.sid, 'VA') ? await services.update(accountSid, request.params.sid, changes, deps.now()) : undefined;
    if (!updated) throw new VerifyError('NOT_FOUND', `The requested resource /Services/${request.params.sid} was not found`);
    return serviceJson(updated, baseOf(request));
  });

  app.delete<{ Params: { sid: string } }>('/v2/Services/:sid', { schema: { summary: 'Delete a service', tags: ['Services'] } }, async (request, reply) => {
    if (!isSid(request.params.sid, 'VA') || !(await services.delete(accountSid, request.params.sid))) {
      throw new VerifyError('NOT_FOUND', `The requested resource /Services/${request.params.sid} was not found`);
    }
    return reply.code(204).send();
  });

  app.post<{ Params: { sid: string }; Body: Form }>('/v2/Services/:sid/Verifications', {
    schema: {
      summary: 'Start a verification (send a code)',
      tags: ['Verifications'],
      consumes: ['application/x-www-form-urlencoded'],
      body: {
        type: 'object',
        properties: {
          To: text('E.164 phone number'),
          Channel: { type: 'string', enum: ['sms', 'call', 'flashcall'], description: 'sms, call or flashcall (Verigate extension)' },
          Locale: text('One of Twilio Verify\'s locales (docs/verify-api.md); default: the language of the number\'s country'),
          CustomFriendlyName: text('Name in the message instead of the service name'),
          CustomCode: text('Code to send instead of a generated one (CustomCodeEnabled)'),
          Amount: text('PSD2 amount'),
          Payee: text('PSD2 payee'),
          AppHash: text('Android SMS Retriever hash (11 characters): the SMS starts with <#> and ends with the hash on its own line'),
          CustomMessage: text('Deprecated: the SMS text, with {{code}} (and {{friendly_name}})'),
          TemplateSid: text('HJ… of GET /v2/Templates'),
          TemplateCustomSubstitutions: text('JSON object of {{key}} values for CustomMessage'),
          Tags: text('JSON object of up to 10 tags, recorded with the message'),
          RiskCheck: text('enable (default) or disable: disable skips the fraud guard for this start'),
          DeviceIp: text('IPv4 or IPv6 address of the user\'s device (checked, not used)'),
          SendDigits: text('DTMF played when a call is answered: up to 32 of 0-9, *, #, w'),
          RateLimits: text('JSON object of rate limit unique names to values'),
        },
      },
    },
  }, async (request, reply) => {
    const sid = request.params.sid;
    if (!isSid(sid, 'VA')) throw new VerifyError('NOT_FOUND', `The requested resource /Services/${sid} was not found`);
    const form = request.body ?? {};
    // Only a start that names RateLimits meters them, and a service that has none refuses nothing: this reads the service first.
    const rateLimits = parseRateLimitsParam(str(form, 'RateLimits'));
    if (Object.keys(rateLimits).length > 0) await loadService(sid);
    const overflow = await deps.takeRateLimits?.(sid, rateLimits, deps.now());
    if (overflow) throw new VerifyError('MAX_SEND_ATTEMPTS', `Max send attempts reached: rate limit ${overflow.uniqueName} allows ${overflow.bucket.max} per ${overflow.bucket.interval} seconds`);
    // The service is read in the start's own transaction.
    const started = await engine.start({ accountSid, sid }, {
      to: str(form, 'To'),
      channel: str(form, 'Channel'),
      locale: str(form, 'Locale'),
      customFriendlyName: str(form, 'CustomFriendlyName'),
      customCode: str(form, 'CustomCode'),
      amount: str(form, 'Amount'),
      payee: str(form, 'Payee'),
      appHash: str(form, 'AppHash'),
      customMessage: str(form, 'CustomMessage'),
      templateSid: str(form, 'TemplateSid'),
      templateCustomSubstitutions: str(form, 'TemplateCustomSubstitutions'),
      tags: str(form, 'Tags'),
      riskCheck: str(form, 'RiskCheck'),
      deviceIp: str(form, 'DeviceIp'),
      sendDigits: str(form, 'SendDigits'),
    });
    deps.metrics.started.inc({ channel: started.verification.channel });
    return reply.code(201).send(verificationJson(started.verification, started.attempts, baseOf(request), carrierOf(started.service, started.verification)));
  });

  app.get<{ Params: { sid: string; verificationSid: string } }>('/v2/Services/:sid/Verifications/:verificationSid', {
    schema: { summary: 'Fetch a pending verification', tags: ['Verifications'] },
  }, async (request) => {
    const service = await loadService(request.params.sid);
    const found = await engine.fetch(service, request.params.verificationSid);
    return verificationJson(found.verification, found.attempts, baseOf(request), carrierOf(service, found.verification));
  });

  app.post<{ Params: { sid: string; verificationSid: string }; Body: Form }>('/v2/Services/:sid/Verifications/:verificationSid', {
    schema: {
      summary: 'Cancel or approve a pending verification',
      tags: ['Verifications'],
      consumes: ['application/x-www-form-urlencoded'],
      body: { type: 'object', properties: { Status: { type: 'string', description: 'canceled or approved' } } },
    },
  }, async (request) => {
    const service = await loadService(request.params.sid);
    const updated = await engine.update(service, request.params.verificationSid, str(request.body ?? {}, 'Status'));
    return verificationJson(updated.verification, updated.attempts, baseOf(request), carrierOf(service, updated.verification));
  });

  app.post<{ Params: { sid: string }; Body: Form }>('/v2/Services/:sid/VerificationCheck', {
    schema: {
      summary: 'Check a code',
      tags: ['Verifications'],
      consumes: ['application/x-www-form-urlencoded'],
      body: {
        type: 'object',
        properties: { Code: text('The code the user entered'), To: text('E.164 number'), VerificationSid: text('VE…'), Amount: text('PSD2'), Payee: text('PSD2') },
      },
    },
  }, async (request) => {
    const form = request.body ?? {};
    const result = await engine.check(await loadService(request.params.sid), {
      code: str(form, 'Code'),
      to: str(form, 'To'),
      verificationSid: str(form, 'VerificationSid'),
      amount: str(form, 'Amount'),
      payee: str(form, 'Payee'),
    });
    deps.metrics.checks.inc({ result: result.status });
    return verificationCheckJson(result);
  });
}
