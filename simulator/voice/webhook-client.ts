import { randomUUID } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { Agent } from 'undici';
import { twilioSignature } from '../../gateway/webhooks/twilio-signature';
import type { HttpMethod } from './rcml-parser';
import { redactSecrets } from '../../gateway/logging/redact';
import { VerigateError } from '../../gateway/errors';

export interface WebhookRequest {
  url: string;
  method: HttpMethod;
  params: Record<string, string>;
}

export interface WebhookResponse {
  status: number;
  contentType: string;
  body: string;
  /** The URL finally answered (after redirects; with the parameters in its query for GET), credentials removed. */
  url: string;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface SendOptions {
  /** Called once the request has been written to its connection. */
  onWritten?: () => void;
}

/** The app server could not be reached or did not answer in time. */
export class WebhookTransportError extends VerigateError {
  override readonly name = 'WebhookTransportError';
  readonly code = 'WEBHOOK_TRANSPORT';
}

/** The answer was larger than the caller allows. */
export class WebhookTooLargeError extends VerigateError {
  override readonly name = 'WebhookTooLargeError';
  readonly code = 'WEBHOOK_TOO_LARGE';
}

/** The app server redirected more than MAX_REDIRECTS times in a row, or to somewhere that is not http(s). */
export class WebhookRedirectError extends VerigateError {
  override readonly name = 'WebhookRedirectError';
  readonly code = 'WEBHOOK_TOO_MANY_REDIRECTS';
}

export interface WebhookClientOptions {
  /** Key of X-Twilio-Signature: the account's auth token. */
  authToken: string;
  timeoutMs?: number;
  maxBodyBytes?: number;
}

/** HTTP redirects followed for one request. */
export const MAX_REDIRECTS = 10;
const TOKEN_HEADER = 'i-twilio-idempotency-token';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Requests waiting to hear that they are on the wire, by idempotency token. */
const waitingForWrite = new Map<string, () => void>();
diagnostics.subscribe('undici:request:bodySent', (message) => {
  const headers = (message as { request?: { headers?: unknown } }).request?.headers;
  if (!Array.isArray(headers)) return;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (String(headers[i]).toLowerCase() !== TOKEN_HEADER) continue;
    const token = String(headers[i + 1]);
    waitingForWrite.get(token)?.();
    waitingForWrite.delete(token);
  }
});

/**
 * Every request the voice network makes to an app server (RCML fetches,
 * Gather/Dial/Sms/Record actions, status callbacks), as Twilio makes them:
 * signed (GET carries the parameters in its query and signs the whole URL;
 * POST carries them form-encoded and signs the URL followed by the sorted
 * parameters), with Basic auth when the URL holds `user:pass@` (the signature
 * is over the URL without them, the one the app sees), following up to 10
 * HTTP redirects (301/302/303 as a GET without the parameters, 307/308 as
 * they were), each carrying an I-Twilio-Idempotency-Token.
 */
export class WebhookClient {
  readonly #authToken: string;
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;
  readonly #agent = new Agent({ keepAliveTimeout: 4_000, connections: 256 });

  constructor(options: WebhookClientOptions) {
    if (!options.authToken) throw new TypeError('WebhookClient needs options.authToken to sign requests');
    this.#authToken = options.authToken;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  }

  async send(req: WebhookRequest, options: SendOptions = {}): Promise<WebhookResponse> {
    let target: URL;
    try {
      target = new URL(req.url);
    } catch {
      throw new WebhookTransportError(`${req.method} ${req.url}: not a URL`);
    }
    let method = req.method;
    let params: Record<string, string> | undefined = req.params;
    for (let hop = 0; ; hop++) {
      const response = await this.#once(target, method, params, hop === 0 ? options.onWritten : undefined);
      const location = response.location;
      if (location === undefined) return response;
      if (hop >= MAX_REDIRECTS) throw new WebhookRedirectError(`${req.method} ${req.url}: more than ${MAX_REDIRECTS} HTTP redirects`);
      let next: URL;
      try {
        next = new URL(location, target);
      } catch {
        throw new WebhookRedirectError(`${method} ${publicUrl(target)}: redirected to ${JSON.stringify(location)}, not a URL`);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new WebhookRedirectError(`${method} ${publicUrl(target)}: redirected to ${next.protocol}, not http(s)`);
      // Credentials go along only to the same origin.
      if (next.origin === target.origin && !next.username) {
        next.username = target.username;
        next.password = target.password;
      }
      if (response.status !== 307 && response.status !== 308) {
        method = 'GET';
        params = undefined;
      }
      target = next;
    }
  }

  async #once(target: URL, method: HttpMethod, params: Record<string, string> | undefined, onWritten?: () => void): Promise<WebhookResponse & { location?: string }> {
    // The common case (POST, no credentials in the URL) signs and requests `target` as it is, without a copy.
    const plain = method !== 'GET' && !target.username && !target.password;
    const url = plain ? target : new URL(target.href);
    const authorization = url.username ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}` : undefined;
    if (!plain) {
      url.username = '';
      url.password = '';
    }
    let body: string | undefined;
    let signature: string;
    if (method === 'GET') {
      for (const [name, value] of Object.entries(params ?? {})) url.searchParams.append(name, value);
      signature = twilioSignature(this.#authToken, url.href);
    } else {
      body = new URLSearchParams(params ?? {}).toString();
      signature = twilioSignature(this.#authToken, url.href, params ?? {});
    }
    const shown = url.href;
    const token = randomUUID();
    const headers: Record<string, string> = {
      'user-agent': 'TwilioProxy/1.1 (Verigate-Simulator)',
      accept: '*/*',
      'x-twilio-signature': signature,
    };
    headers[TOKEN_HEADER] = token;
    if (authorization) headers['authorization'] = authorization;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
    if (onWritten) waitingForWrite.set(token, onWritten);
    let answer: Answer;
    try {
      answer = await this.#exchange(url, method, headers, body, () => new WebhookTooLargeError(redactSecrets(`${method} ${shown}: answer is larger than ${this.#maxBodyBytes} bytes`)));
    } catch (error) {
      if (error instanceof WebhookTooLargeError) throw error;
      throw new WebhookTransportError(redactSecrets(`${method} ${shown}: ${(error as Error).message}`));
    } finally {
      waitingForWrite.delete(token);
    }
    const contentType = String(answer.headers['content-type'] ?? '');
    const location = REDIRECT_STATUSES.has(answer.status) ? answer.headers['location'] : undefined;
    return {
      status: answer.status,
      contentType,
      body: answer.body,
      url: shown,
      ...(typeof location === 'string' ? { location } : {}),
    };
  }

  /**
   * One request through the agent's dispatcher, the answer collected straight into a buffer (the
   * `request()` API's stream and promises per answer cost more than the rest of a webhook), refused
   * past maxBodyBytes as soon as its Content-Length or its bytes so far say so.
   */
  #exchange(url: URL, method: HttpMethod, headers: Record<string, string>, body: string | undefined, tooLarge: () => Error): Promise<Answer> {
    const maxBytes = this.#maxBodyBytes;
    return new Promise<Answer>((resolve, reject) => {
      let status = 0;
      let answerHeaders: Answer['headers'] = {};
      const chunks: Buffer[] = [];
      let size = 0;
      this.#agent.dispatch({
        origin: url.origin,
        path: url.pathname + url.search,
        method,
        headers,
        body,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      }, {
        onRequestStart() {},
        onResponseStart(controller, statusCode, responseHeaders) {
          status = statusCode;
          answerHeaders = responseHeaders;
          if (Number(responseHeaders['content-length']) > maxBytes) controller.abort(tooLarge());
        },
        onResponseData(controller, chunk) {
          size += chunk.length;
          if (size > maxBytes) controller.abort(tooLarge());
          else chunks.push(chunk);
        },
        onResponseEnd() {
          resolve({ status, headers: answerHeaders, body: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8') });
        },
        onResponseError(_controller, error) {
          reject(error);
        },
      });
    });
  }

  async close(): Promise<void> {
    await this.#agent.destroy();
  }
}

function publicUrl(url: URL): string {
  const copy = new URL(url.toString());
  copy.username = '';
  copy.password = '';
  return copy.toString();
}
