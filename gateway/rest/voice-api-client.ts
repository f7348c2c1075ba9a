import { request, type Dispatcher } from 'undici';
import type { CallRequest, SmsRoute, VoiceRoute } from '../router';
import type { SmsRequest } from '../sms/smpp-sms-sender';
import { RestApiError, RestTransportError } from './rest-errors';
import { redactSecrets } from '../logging/redact';
import { VerigateError } from '../errors';

export type ApiFlavour = 'restcomm' | 'twilio';

export interface VoiceApiEndpoint {
  /** e.g. http://HOST:PORT/restcomm/2012-04-24 or https://api.twilio.com/2010-04-01 */
  baseUrl: string;
  accountSid: string;
  authToken: string;
  flavour: ApiFlavour;
}

export class VoiceApiUrlError extends VerigateError {
  override readonly name = 'VoiceApiUrlError';
  readonly code = 'VOICE_API_URL_INVALID';
}

/** Parses `http://SID:TOKEN@HOST:PORT/restcomm/2012-04-24` (or a `/2010-04-01` base). */
export function parseVoiceApiUrl(text: string): VoiceApiEndpoint {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new VoiceApiUrlError('not a URL: expected http://SID:TOKEN@HOST:PORT/restcomm/2012-04-24');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new VoiceApiUrlError(`scheme must be http or https, got ${url.protocol}`);
  const accountSid = decodeURIComponent(url.username);
  const authToken = decodeURIComponent(url.password);
  if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) throw new VoiceApiUrlError('the user part must be an account SID ("AC" + 32 hex digits)');
  if (!authToken) throw new VoiceApiUrlError('the auth token (password part) is missing');
  const path = url.pathname.replace(/\/+$/, '');
  const flavour: ApiFlavour | undefined = path.endsWith('/restcomm/2012-04-24') ? 'restcomm' : path.endsWith('/2010-04-01') ? 'twilio' : undefined;
  if (!flavour) throw new VoiceApiUrlError('the path must end in /restcomm/2012-04-24 (Restcomm) or /2010-04-01 (Twilio)');
  url.username = '';
  url.password = '';
  return { baseUrl: url.toString().replace(/\/+$/, ''), accountSid, authToken, flavour };
}

export interface CallResource {
  sid: string;
  status: string;
  [field: string]: unknown;
}

/**
 * A client for the Calls and SMS resources of Restcomm and of Twilio-compatible
 * APIs, over undici. Error bodies become RestApiError (temporary for 429/5xx);
 * unreachable APIs become RestTransportError.
 */
export class VoiceApiClient implements VoiceRoute, SmsRoute {
  readonly name: string;
  readonly #endpoint: VoiceApiEndpoint;
  readonly #authorization: string;
  readonly #dispatcher?: Dispatcher;

  constructor(endpoint: VoiceApiEndpoint, options: { name?: string; dispatcher?: Dispatcher; timeoutMs?: number } = {}) {
    this.#endpoint = endpoint;
    this.name = options.name ?? endpoint.flavour;
    this.#authorization = `Basic ${Buffer.from(`${endpoint.accountSid}:${endpoint.authToken}`).toString('base64')}`;
    this.#dispatcher = options.dispatcher;
  }

  get endpoint(): VoiceApiEndpoint {
    return this.#endpoint;
  }

  async placeCall(call: CallRequest): Promise<{ callSid: string }> {
    const created = await this.createCall(call);
    return { callSid: created.sid };
  }

  createCall(call: CallRequest): Promise<CallResource> {
    const form: Record<string, string> = { From: call.from, To: call.to, Url: call.url };
    if (call.method) form['Method'] = call.method;
    if (call.timeoutSeconds !== undefined) form['Timeout'] = String(call.timeoutSeconds);
    if (call.statusCallback) form['StatusCallback'] = call.statusCallback;
    if (call.sendDigits) form['SendDigits'] = call.sendDigits;
    const events = call.statusCallbackEvents?.length ? call.statusCallbackEvents : undefined;
    return this.#post<CallResource>('Calls.json', form, events ? { StatusCallbackEvent: events } : {});
  }

  /** Cancels a call that is queued or ringing. */
  cancelCall(callSid: string): Promise<CallResource> {
    return this.#post<CallResource>(`Calls/${encodeURIComponent(callSid)}.json`, { Status: 'canceled' });
  }

  /** Ends a call that is in progress. */
  completeCall(callSid: string): Promise<CallResource> {
    return this.#post<CallResource>(`Calls/${encodeURIComponent(callSid)}.json`, { Status: 'completed' });
  }

  fetchCall(callSid: string): Promise<CallResource> {
    return this.#call<CallResource>('GET', `Calls/${encodeURIComponent(callSid)}.json`);
  }

  async send(sms: SmsRequest & { statusCallback?: string }): Promise<{ messageIds: string[]; result: Record<string, unknown> }> {
    const path = this.#endpoint.flavour === 'restcomm' ? 'SMS/Messages.json' : 'Messages.json';
    const form: Record<string, string> = { To: sms.to, Body: sms.text };
    if (sms.from) form['From'] = sms.from;
    if (sms.statusCallback) form['StatusCallback'] = sms.statusCallback;
    const message = await this.#post<{ sid: string; status?: string }>(path, form);
    return { messageIds: [message.sid], result: { sid: message.sid, status: message.status } };
  }

  #post<T>(path: string, form: Record<string, string>, repeated: Record<string, string[]> = {}): Promise<T> {
    const body = new URLSearchParams(form);
    for (const [name, values] of Object.entries(repeated)) for (const value of values) body.append(name, value);
    return this.#call<T>('POST', path, body.toString());
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body?: string): Promise<T> {
    const url = `${this.#endpoint.baseUrl}/Accounts/${this.#endpoint.accountSid}/${path}`;
    let response;
    try {
      response = await request(url, {
        method,
        body,
        dispatcher: this.#dispatcher,
        headers: {
          authorization: this.#authorization,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
    } catch (error) {
      throw new RestTransportError(redactSecrets(`${method} ${url}: ${(error as Error).message}`));
    }
    const text = await response.body.text();
    if (response.statusCode >= 400) throw RestApiError.fromResponse(response.statusCode, text);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new RestApiError(response.statusCode, undefined, `answer is not JSON: ${text.slice(0, 100)}`);
    }
  }
}
