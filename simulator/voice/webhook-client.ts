import { randomUUID } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { Agent, request, type Dispatcher } from 'undici';
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
    let response;
    try {
      response = await request(shown, {
        method,
        body,
        dispatcher: this.#agent,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
        headers,
      });
    } catch (error) {
      throw new WebhookTransportError(redactSecrets(`${method} ${shown}: ${(error as Error).message}`));
    } finally {
      waitingForWrite.delete(token);
    }
    const tooLarge = () => new WebhookTooLargeError(redactSecrets(`${method} ${shown}: answer is larger than ${this.#maxBodyBytes} bytes`));
    let text: string;
    try {
      text = await this.#readBody(response.headers['content-length'], response.body, tooLarge);
    } catch (error) {
      if (error instanceof WebhookTooLargeError) throw error;
      throw new WebhookTransportError(redactSecrets(`${method} ${shown}: ${(error as Error).message}`));
    }
    const contentType = String(response.headers['content-type'] ?? '');
    const location = REDIRECT_STATUSES.has(response.statusCode) ? response.headers['location'] : undefined;
    return {
      status: response.statusCode,
      contentType,
      body: text,
      url: shown,
      ...(typeof location === 'string' ? { location } : {}),
    };
  }

  /**
   * The answer as text, refused past maxBodyBytes. With a Content-Length the HTTP framing bounds the body,
   * so it is read whole (no per-chunk promises); a chunked one is counted as it comes.
   */
  async #readBody(contentLength: string | string[] | undefined, body: Dispatcher.ResponseData['body'], tooLarge: () => Error): Promise<string> {
    const declared = typeof contentLength === 'string' ? Number(contentLength) : NaN;
    if (declared > this.#maxBodyBytes) {
      body.destroy();
      throw tooLarge();
    }
    if (Number.isSafeInteger(declared)) return await body.text();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > this.#maxBodyBytes) {
        body.destroy();
        throw tooLarge();
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
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
