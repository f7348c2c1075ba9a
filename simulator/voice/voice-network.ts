import formbody from '@fastify/formbody';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../../gateway/clock';
import type { AccountCredentials } from '../../gateway/auth/basic-auth';
import { twilioErrorBody } from '../../gateway/errors';
import type { Behaviours } from '../behaviours';
import type { HandsetHub } from '../handsets/handset-hub';
import type { MessageCenter } from '../message-center';
import { normaliseAddress } from '../numbers';
import { CALL_STATUSES, callInspectionJson, type CallStatus } from './call-record';
import { CallEngine, DEFAULT_VOICE_SETTINGS, type CallFrame, type VoiceSettings } from './call-engine';
import { registerCallRoutes } from './call-routes';
import { VoiceApiError } from './errors';
import { sendError } from '../http/errors';
import { RecordingStore } from './recordings';
import { registerSmsRoutes } from './sms-routes';
import { toRestcommXml, wantsRestcommXml } from './restcomm-xml';
import { SmsService } from './sms-service';
import { CallbackQueue } from './status-callbacks';
import { WebhookClient } from './webhook-client';
import type { NetworkEventSink } from '../console/event-sink';
import { redactSecrets } from '../../gateway/logging/redact';

export interface VoiceNetworkDeps {
  clock: Clock;
  hub: HandsetHub;
  behaviours: Behaviours;
  center: MessageCenter;
  credentials: AccountCredentials;
  logger?: FastifyBaseLogger;
  /** How long an app server may take to answer an RCML fetch or a callback. */
  webhookTimeoutMs?: number;
  /** The console's event stream. */
  events?: NetworkEventSink;
  /** Speech time and call waiting; both can be changed at run time (`PUT /api/voice/settings`). */
  settings?: Partial<VoiceSettings>;
}

/**
 * The simulator's voice network: the call engine, the SMS resources, the
 * signed webhooks they send, and their HTTP routes (the REST API under both
 * the Restcomm and the Twilio prefix, and `/api/calls` for inspection).
 */
export class VoiceNetwork {
  readonly engine: CallEngine;
  readonly sms: SmsService;
  readonly recordings = new RecordingStore();
  readonly settings: VoiceSettings;
  readonly #deps: VoiceNetworkDeps;
  readonly #webhooks: WebhookClient;
  readonly #callbacks: CallbackQueue;

  constructor(deps: VoiceNetworkDeps) {
    this.#deps = deps;
    this.settings = { ...DEFAULT_VOICE_SETTINGS, ...deps.settings };
    this.#webhooks = new WebhookClient({ authToken: deps.credentials.authToken, timeoutMs: deps.webhookTimeoutMs });
    this.#callbacks = new CallbackQueue(this.#webhooks, ({ key, request, result }) => {
      const detail = `${request.method} ${redactSecrets(request.url)} (${request.params['CallStatus'] ?? request.params['MessageStatus']}) → ${typeof result === 'number' ? result : result.message}`;
      if (key.startsWith('CA')) this.engine.noteCallback(key, 'callback', detail);
      if (typeof result !== 'number' || result >= 400) deps.logger?.warn({ sid: key, url: redactSecrets(request.url) }, `status callback failed: ${detail}`);
    });
    this.sms = new SmsService({ center: deps.center, hub: deps.hub, clock: deps.clock, callbacks: this.#callbacks });
    this.engine = new CallEngine({
      clock: deps.clock,
      hub: deps.hub,
      behaviours: deps.behaviours,
      webhooks: this.#webhooks,
      callbacks: this.#callbacks,
      recordings: this.recordings,
      settings: this.settings,
      logger: deps.logger,
      events: deps.events,
      sendSms: (verb, call) => this.sms.sendFromCall({
        from: normaliseAddress(verb.from ?? call.from),
        to: normaliseAddress(verb.to ?? call.to),
        body: verb.text,
        accountSid: call.accountSid,
      }),
    });
    deps.hub.onLineDown((number) => this.engine.lineDropped(number));
  }

  /** The handset socket's `onCallFrame`. */
  onCallFrame = (number: string, frame: CallFrame): void => this.engine.onHandsetFrame(number, frame);

  /** The handset socket's `onHandsetConnected`. */
  onHandsetConnected = (number: string, send: (frame: object) => void): void => this.engine.offerRinging(number, send);

  /** Resolves once every queued status callback has been sent (or has failed). */
  drainCallbacks(): Promise<void> {
    return this.#callbacks.drain();
  }

  async close(): Promise<void> {
    this.engine.close();
    this.sms.close();
    await this.#webhooks.close();
  }

  /** Registers the routes in `app`, a scope that already checks Basic auth. */
  register(app: FastifyInstance): void {
    this.#registerInspection(app);
    void app.register(async (scope) => {
      await scope.register(formbody, { bodyLimit: 1 << 20 });
      // A callback, not a promise: it runs on every answer of the REST API.
      scope.addHook('onSend', (request, reply, payload, done) => {
        if (typeof payload !== 'string' || !payload.startsWith('{') || !wantsRestcommXml(request)) return done(null, payload);
        reply.type('application/xml; charset=utf-8');
        done(null, toRestcommXml(JSON.parse(payload) as Record<string, unknown>));
      });
      scope.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
        if (error instanceof VoiceApiError) return reply.code(error.httpStatus).send(error.toJSON());
        const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
        if (status === 500) request.log.error(error);
        const code = status === 500 ? 20500 : 20001;
        return reply.code(status).send(twilioErrorBody(code, status === 500 ? 'internal error' : error.message, status));
      });

      const account = (request: FastifyRequest<{ Params: { accountSid: string } }>): string => {
        // Basic auth has already matched this account; a path naming another is not found, as on Twilio.
        const sid = request.params.accountSid.replace(/\.json$/, '');
        if (sid !== this.#deps.credentials.accountSid) {
          throw new VoiceApiError(20404, `The requested resource ${request.url.split('?')[0]} was not found`);
        }
        return sid;
      };
      for (const flavour of ['restcomm', 'twilio'] as const) {
        registerCallRoutes(scope, flavour, this.engine, this.recordings, account);
        registerSmsRoutes(scope, flavour, this.sms, account);
      }
    });
  }

  /** The control API's view of calls, in the control API's error shape. */
  #registerInspection(app: FastifyInstance): void {
    const statusQuery = { type: 'string', enum: [...CALL_STATUSES] } as const;
    app.get<{ Querystring: { to?: string; from?: string; status?: CallStatus } }>('/api/calls', {
      schema: { querystring: { type: 'object', properties: { to: { type: 'string' }, from: { type: 'string' }, status: statusQuery } } },
    }, async (request) => {
      const { to, from, status } = request.query;
      const calls = this.engine.list({ to: to && normaliseAddress(to), from: from && normaliseAddress(from), status });
      return { calls: calls.map(callInspectionJson) };
    });
    app.get<{ Params: { sid: string } }>('/api/calls/:sid', async (request, reply) => {
      const call = this.engine.get(request.params.sid);
      if (!call) return sendError(reply, 404, `no call ${request.params.sid}`);
      return callInspectionJson(call);
    });
    app.delete('/api/calls', async (_request, reply) => {
      this.engine.clearEnded();
      return reply.code(204).send();
    });
    app.get('/api/voice/settings', async () => this.settings);
    app.put<{ Body: Partial<VoiceSettings> }>('/api/voice/settings', {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { speechTime: { type: 'boolean' }, callWaiting: { type: 'boolean' } },
        },
      },
    }, async (request) => {
      Object.assign(this.settings, request.body);
      return this.settings;
    });
  }
}
