import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { XMLBuilder } from 'fast-xml-parser';
import { validTwilioSignature } from '../../gateway/webhooks/twilio-signature';
import { CodeBook } from '../codes';
import type { AttemptRepository } from '../store/attempt-repository';
import type { VerificationEngine } from '../verification-engine';

export interface VoiceRoutesDeps {
  attempts: AttemptRepository;
  engine: VerificationEngine;
  /** Read per request: with port 0 it is known only once listening. */
  publicUrl(): string;
  /** The voice network signs its requests with this account's token. */
  voiceAuthToken: string;
  now(): number;
}

const xml = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: false, suppressEmptyNode: true });



/** Verbs in order: fast-xml-parser keys an object by tag, so each distinct order needs its own ordered list. */
function response(parts: [string, unknown][]): string {
  const body = parts.map(([tag, content]) => xml.build({ [tag]: content })).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
}

function formOf(request: FastifyRequest): Record<string, string> {
  const body = request.body;
  if (!body || typeof body !== 'object') return {};
  return Object.fromEntries(Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

/**
 * The endpoints the voice network calls: the RCML of a voice code (read twice,
 * with a Gather to repeat), of an answered flash call, and call status
 * callbacks. Each request must carry a valid X-Twilio-Signature; the RCML URL
 * also carries an unguessable token that expires with the verification.
 */
export function registerVoiceRoutes(app: FastifyInstance, deps: VoiceRoutesDeps): void {
  const { attempts, engine } = deps;

  const signed = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const url = `${deps.publicUrl()}${request.url}`;
    const params = request.method === 'POST' ? formOf(request) : {};
    if (validTwilioSignature(deps.voiceAuthToken, request.headers['x-twilio-signature'] as string | undefined, url, params)) return true;
    void reply.code(403).type('text/plain').send('invalid X-Twilio-Signature');
    return false;
  };

  const attemptFor = (token: string) => attempts.byToken(CodeBook.tokenHash(token), deps.now());

  /**
   * `answer`: the call was answered (with DtmfInputRequired it first waits for a key, then comes back as
   * `code`); `code`: a key was pressed; `repeat`: the caller answered the offer to hear the code again.
   */
  const codeCall = async (request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply, step: 'answer' | 'code' | 'repeat') => {
    if (!signed(request, reply)) return reply;
    const attempt = await attemptFor(request.params.token);
    const script = attempt && (await engine.voiceScript(attempt));
    reply.type('application/xml');
    if (!script) return response([['Hangup', '']]);
    const digits = formOf(request)['Digits'];
    const say = (text: string) => ({ '#text': text, '@language': script.language, ...(script.voice ? { '@voice': script.voice } : {}) });
    const goodbye = () => response([['Say', say(script.goodbye)], ['Hangup', '']]);
    if ((step === 'repeat' && digits !== '1') || (step === 'code' && !digits)) return goodbye();
    if (step === 'answer' && script.pressKey) {
      return response([
        ['Gather', { '@numDigits': '1', '@timeout': '10', '@action': `${deps.publicUrl()}/v2/voice/rcml/${request.params.token}/code`, '@method': 'POST', Say: say(script.pressKey) }],
        ['Say', say(script.goodbye)],
        ['Hangup', ''],
      ]);
    }
    return response([
      ['Say', say(script.intro)],
      ['Pause', { '@length': '1' }],
      ['Say', say(script.again)],
      ['Gather', { '@numDigits': '1', '@timeout': '5', '@action': `${deps.publicUrl()}/v2/voice/rcml/${request.params.token}/repeat`, '@method': 'POST', Say: say(script.repeat) }],
      ['Say', say(script.goodbye)],
      ['Hangup', ''],
    ]);
  };

  const routeOptions = { schema: { hide: true } };
  app.route<{ Params: { token: string } }>({ method: ['GET', 'POST'], url: '/v2/voice/rcml/:token', ...routeOptions, handler: (request, reply) => codeCall(request, reply, 'answer') });
  app.post<{ Params: { token: string } }>('/v2/voice/rcml/:token/code', routeOptions, (request, reply) => codeCall(request, reply, 'code'));
  app.post<{ Params: { token: string } }>('/v2/voice/rcml/:token/repeat', routeOptions, (request, reply) => codeCall(request, reply, 'repeat'));

  app.route<{ Params: { token: string } }>({
    method: ['GET', 'POST'],
    url: '/v2/voice/flash/:token',
    ...routeOptions,
    handler: async (request, reply) => {
      if (!signed(request, reply)) return reply;
      const attempt = await attemptFor(request.params.token);
      reply.type('application/xml');
      // A flash call is not meant to be answered; if it is, say why and hang up.
      if (!attempt) return response([['Hangup', '']]);
      const answered = await engine.flashAnsweredText(attempt);
      return response([['Say', { '#text': answered.text, '@language': answered.language }], ['Hangup', '']]);
    },
  });

  app.post<{ Params: { attemptSid: string } }>('/v2/sms/status/:attemptSid', routeOptions, async (request, reply) => {
    if (!signed(request, reply)) return reply;
    const attempt = await attempts.get(request.params.attemptSid);
    const status = formOf(request)['MessageStatus'];
    if (attempt && status) await engine.onSmsStatus(attempt, status);
    return reply.code(204).send();
  });

  app.post<{ Params: { attemptSid: string } }>('/v2/voice/status/:attemptSid', routeOptions, async (request, reply) => {
    if (!signed(request, reply)) return reply;
    const attempt = await attempts.get(request.params.attemptSid);
    const form = formOf(request);
    if (attempt && form['CallStatus']) await engine.onCallStatus(attempt, form['CallSid'], form['CallStatus']);
    return reply.code(204).send();
  });
}
