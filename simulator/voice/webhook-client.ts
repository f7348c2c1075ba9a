import { Agent, request } from 'undici';
import { twilioSignature } from '../../gateway/webhooks/twilio-signature';
import type { HttpMethod } from './rcml-parser';
import { redactSecrets } from '../../gateway/logging/redact';

export interface WebhookRequest {
  url: string;
  method: HttpMethod;
  params: Record<string, string>;
}

export interface WebhookResponse {
  status: number;
  contentType: string;
  body: string;
  /** The URL as requested (with the parameters in its query for GET). */
  url: string;
}

/** The app server could not be reached or did not answer in time. */
export class WebhookTransportError extends Error {
  override readonly name = 'WebhookTransportError';
  readonly code = 'WEBHOOK_TRANSPORT';
}

/** The answer was larger than the caller allows. */
export class WebhookTooLargeError extends Error {
  override readonly name = 'WebhookTooLargeError';
  readonly code = 'WEBHOOK_TOO_LARGE';
}

export interface WebhookClientOptions {
  /** Key of X-Twilio-Signature: the account's auth token. */
  authToken: string;
  timeoutMs?: number;
  maxBodyBytes?: number;
}

/**
 * Every request the voice network makes to an app server (RCML fetches,
 * Gather/Dial/Sms actions, status callbacks), signed the Twilio way: GET
 * carries the parameters in its query and signs the whole URL; POST carries
 * them form-encoded and signs the URL followed by the sorted parameters.
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

  async send(req: WebhookRequest): Promise<WebhookResponse> {
    let url = req.url;
    let body: string | undefined;
    let signature: string;
    if (req.method === 'GET') {
      const target = new URL(req.url);
      for (const [name, value] of Object.entries(req.params)) target.searchParams.append(name, value);
      url = target.toString();
      signature = twilioSignature(this.#authToken, url);
    } else {
      body = new URLSearchParams(req.params).toString();
      signature = twilioSignature(this.#authToken, url, req.params);
    }
    let response;
    try {
      response = await request(url, {
        method: req.method,
        body,
        dispatcher: this.#agent,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
        headers: {
          'user-agent': 'Verigate-Simulator/0.1',
          accept: 'application/xml, text/xml, */*',
          'x-twilio-signature': signature,
          ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } : {}),
        },
      });
    } catch (error) {
      throw new WebhookTransportError(redactSecrets(`${req.method} ${url}: ${(error as Error).message}`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > this.#maxBodyBytes) {
          response.body.destroy();
          throw new WebhookTooLargeError(redactSecrets(`${req.method} ${url}: answer is larger than ${this.#maxBodyBytes} bytes`));
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      if (error instanceof WebhookTooLargeError) throw error;
      throw new WebhookTransportError(redactSecrets(`${req.method} ${url}: ${(error as Error).message}`));
    }
    const contentType = String(response.headers['content-type'] ?? '');
    return { status: response.statusCode, contentType, body: Buffer.concat(chunks).toString('utf8'), url };
  }

  async close(): Promise<void> {
    await this.#agent.destroy();
  }
}
