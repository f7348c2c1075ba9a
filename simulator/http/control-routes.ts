import type { FastifyInstance } from 'fastify';
import { SMS_BEHAVIOURS, SMS_BEHAVIOUR_HELP, VOICE_BEHAVIOURS, VOICE_BEHAVIOUR_HELP, type Behaviours, type NumberBehaviour } from '../behaviours';
import type { MessageCenter } from '../message-center';
import type { MessageStore, Segment, StoredMessage } from '../store/message-store';
import type { SmscServer } from '../smsc/smsc-server';
import type { HandsetHub } from '../handsets/handset-hub';
import { normaliseAddress, parseHandsetNumber } from '../numbers';
import { sendError } from './errors';
import type { NetworkEventSink } from '../console/event-sink';
import { applyScenario, isScenarioName, SCENARIOS } from '../scenarios';

export interface ControlDeps {
  center: MessageCenter;
  store: MessageStore;
  behaviours: Behaviours;
  hub: HandsetHub;
  smsc: () => SmscServer;
  /** The console's event stream. */
  events?: Pick<NetworkEventSink, 'messagesCleared'>;
}

export function messageJson(m: StoredMessage) {
  return {
    id: m.id,
    direction: m.direction,
    from: m.source,
    to: m.destination,
    text: m.body,
    dataCoding: m.dataCoding,
    parts: m.parts,
    status: m.status,
    systemId: m.systemId,
    createdAt: new Date(m.createdAt).toISOString(),
    receivedByHandsetAt: m.pushedAt ? new Date(m.pushedAt).toISOString() : null,
    replacedAt: m.replacedAt ? new Date(m.replacedAt).toISOString() : null,
  };
}

/** One message with its parts (in sequence order), as `GET /api/messages/{id}` and the event stream show it. */
export function messageDetailJson(m: StoredMessage, parts: readonly Segment[]) {
  const segments = parts.map((s) => ({
    messageId: s.messageId,
    seq: s.concatSeq,
    total: s.concatTotal,
    text: s.body,
    state: s.state,
    errorCode: s.errorCode,
    receipt: s.receipt,
    scheduledAt: s.scheduledAt ? new Date(s.scheduledAt).toISOString() : null,
  }));
  return { ...messageJson(m), segments };
}

const numberParam = {
  type: 'object',
  properties: { number: { type: 'string' } },
  required: ['number'],
} as const;

const behaviourBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    sms: { type: 'string', enum: [...SMS_BEHAVIOURS] },
    receiptDelayMs: { type: 'integer', minimum: 0, maximum: 86_400_000 },
    voice: { type: 'string', enum: [...VOICE_BEHAVIOURS] },
    answerAfterMs: { type: 'integer', minimum: 0, maximum: 86_400_000 },
  },
} as const;

/** The inspection and control API (docs/simulator.md): what the network holds, and how it behaves per number. */
export function registerControlRoutes(app: FastifyInstance, deps: ControlDeps): void {
  const { store, behaviours, center } = deps;

  app.get<{ Querystring: { to?: string; from?: string; limit?: number; order?: 'oldest' | 'newest' } }>('/api/messages', {
    schema: {
      querystring: {
        type: 'object',
        properties: {
          to: { type: 'string' },
          from: { type: 'string' },
          limit: { type: 'integer', minimum: 1, maximum: 10_000 },
          order: { type: 'string', enum: ['oldest', 'newest'] },
        },
      },
    },
  }, async (request) => {
    const { to, from, limit, order } = request.query;
    const messages = store.listMessages({ to: to && normaliseAddress(to), from: from && normaliseAddress(from), limit, newestFirst: order === 'newest' });
    return { messages: messages.map(messageJson) };
  });

  // A poll for "has everything arrived" without serialising every message each time (benchmarks, tests).
  app.get('/api/messages/count', async () => ({ count: store.countMessages() }));

  app.get<{ Params: { id: string } }>('/api/messages/:id', async (request, reply) => {
    const message = store.message(request.params.id);
    if (!message) return sendError(reply, 404, `no message ${request.params.id}`);
    return messageDetailJson(message, store.segmentsOf(message.id));
  });

  app.delete('/api/messages', async (_request, reply) => {
    store.clear();
    deps.events?.messagesCleared();
    return reply.code(204).send();
  });

  app.get<{ Params: { number: string } }>('/api/handsets/:number/messages', { schema: { params: numberParam } }, async (request, reply) => {
    const number = parseHandsetNumber(request.params.number);
    if (!number) return sendError(reply, 400, 'number must be E.164 digits, "+" optional');
    return { number, connected: deps.hub.isConnected(number), messages: store.listMessages({ party: number }).map(messageJson) };
  });

  app.post<{ Params: { number: string }; Body: { to: string; text: string } }>('/api/handsets/:number/sms', {
    schema: {
      params: numberParam,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['to', 'text'],
        properties: { to: { type: 'string', minLength: 1, maxLength: 32 }, text: { type: 'string', minLength: 1, maxLength: 10_000 } },
      },
    },
  }, async (request, reply) => {
    const number = parseHandsetNumber(request.params.number);
    if (!number) return sendError(reply, 400, 'number must be E.164 digits, "+" optional');
    const message = center.sendFromHandset(number, normaliseAddress(request.body.to), request.body.text);
    return reply.code(201).send(messageJson(message));
  });

  app.get('/api/behaviours', async () => ({
    settings: behaviours.settings,
    defaults: behaviours.defaults,
    numbers: behaviours.list(),
    available: { sms: SMS_BEHAVIOUR_HELP, voice: VOICE_BEHAVIOUR_HELP },
  }));

  app.put<{ Params: { number: string }; Body: Partial<NumberBehaviour> }>('/api/behaviours/:number', {
    schema: { params: numberParam, body: behaviourBody },
  }, async (request, reply) => {
    const number = parseHandsetNumber(request.params.number);
    if (!number) return sendError(reply, 400, 'number must be E.164 digits, "+" optional');
    const behaviour: NumberBehaviour = { ...behaviours.for(number), ...request.body };
    behaviours.set(number, behaviour);
    return { number, ...behaviour };
  });

  app.delete<{ Params: { number: string } }>('/api/behaviours/:number', { schema: { params: numberParam } }, async (request, reply) => {
    const number = parseHandsetNumber(request.params.number);
    if (!number) return sendError(reply, 400, 'number must be E.164 digits, "+" optional');
    behaviours.clear(number);
    return reply.code(204).send();
  });

  app.delete('/api/behaviours', async (_request, reply) => {
    behaviours.reset();
    return reply.code(204).send();
  });

  app.put<{ Body: { receiptDelayMs?: number; maxSubmitsPerSecond?: number } }>('/api/settings', {
    schema: {
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          receiptDelayMs: { type: 'integer', minimum: 0, maximum: 86_400_000 },
          maxSubmitsPerSecond: { type: 'integer', minimum: 0, maximum: 1_000_000 },
        },
      },
    },
  }, async (request) => {
    behaviours.settings = { ...behaviours.settings, ...request.body };
    return behaviours.settings;
  });

  app.get('/api/scenarios', async () => ({
    scenarios: Object.fromEntries(Object.entries(SCENARIOS).map(([name, scenario]) => [name, scenario.description])),
  }));

  app.post<{ Params: { name: string } }>('/api/scenarios/:name', async (request, reply) => {
    const { name } = request.params;
    if (!isScenarioName(name)) return sendError(reply, 404, `no scenario "${name}" (known: ${Object.keys(SCENARIOS).join(', ')})`);
    applyScenario(behaviours, name);
    return { scenario: name, defaults: behaviours.defaults, settings: behaviours.settings, numbers: behaviours.list() };
  });

  app.get('/api/smpp/binds', async () => ({
    binds: deps.smsc().binds().map((b) => ({ ...b, boundAt: new Date(b.boundAt).toISOString() })),
  }));
}
