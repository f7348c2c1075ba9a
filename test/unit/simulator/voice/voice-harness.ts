import { createServer, type IncomingMessage, type Server } from 'node:http';
import twilio from 'twilio';
import { validTwilioSignature } from '../../../../gateway/webhooks/twilio-signature';
import { authHeader, credentials, startSimulator, type RunningSimulator } from '../../../support/simulator-harness';
import { TestHandset } from '../../../support/handset';
import { waitFor } from '../../../support/wait-for';
import type { Clock } from '../../../../gateway/clock';
import type { VoiceSettings } from '../../../../simulator/voice/call-engine';

export const RESTCOMM = `/restcomm/2012-04-24/Accounts/${credentials.accountSid}`;
export const TWILIO = `/2010-04-01/Accounts/${credentials.accountSid}`;

export interface HookRequest {
  method: string;
  path: string;
  url: string;
  params: Record<string, string>;
  /** Whether X-Twilio-Signature matches the URL and parameters, keyed by the auth token. */
  signed: boolean;
  authorization: string | undefined;
}

type Answer = string | { status: number; body: string; contentType?: string; headers?: Record<string, string> };

/** An app server on a port chosen at run time: serves RCML per path and records every request, with its signature checked. */
export class AppServer {
  readonly requests: HookRequest[] = [];
  readonly #routes = new Map<string, (request: HookRequest) => Answer | Promise<Answer>>();
  #server!: Server;
  port = 0;

  static async start(): Promise<AppServer> {
    const app = new AppServer();
    app.#server = createServer((req, res) => void app.#handle(req, res));
    await new Promise<void>((resolve) => app.#server.listen(0, '127.0.0.1', resolve));
    app.port = (app.#server.address() as { port: number }).port;
    return app;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  on(path: string, answer: Answer | ((request: HookRequest) => Answer | Promise<Answer>)): void {
    this.#routes.set(path, typeof answer === 'function' ? answer : () => answer);
  }

  to(path: string): HookRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  waitFor(path: string, count = 1): Promise<HookRequest[]> {
    return waitFor(`${count} request(s) to ${path}`, () => {
      const found = this.to(path);
      return found.length >= count ? found : undefined;
    });
  }

  async #handle(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = this.url(req.url ?? '/');
    const parsed = new URL(url);
    const body = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const params = req.method === 'POST' ? body : Object.fromEntries(parsed.searchParams);
    const signature = req.headers['x-twilio-signature'] as string | undefined;
    const signed = validTwilioSignature(credentials.authToken, signature, url, req.method === 'POST' ? body : {});
    const request: HookRequest = { method: req.method ?? '', path: parsed.pathname, url, params, signed, authorization: req.headers.authorization };
    this.requests.push(request);
    const route = this.#routes.get(parsed.pathname);
    const answer = route ? await route(request) : { status: 404, body: 'not found' };
    const { status, body: text, contentType, headers } = typeof answer === 'string' ? { status: 200, body: answer, contentType: 'application/xml', headers: {} } : answer;
    res.writeHead(status, { 'content-type': contentType ?? 'application/xml', ...headers });
    res.end(text);
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

export function rcml(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
}

/**
 * The official twilio client pointed at the simulator. Without keep-alive: a
 * pooled socket that the server's 5 s idle timeout closes just as the client
 * reuses it would fail a slow test with ECONNRESET.
 */
export function twilioClient(baseUrl: string) {
  const client = twilio(credentials.accountSid, credentials.authToken, { httpClient: new twilio.RequestClient({ keepAlive: false }) });
  client.api.baseUrl = baseUrl;
  return client;
}

export interface VoiceRig {
  sim: RunningSimulator;
  app: AppServer;
  /** The official twilio client, pointed at this simulator. */
  client(): ReturnType<typeof twilioClient>;
  handset(number: string): Promise<TestHandset>;
  /** A form-encoded REST request with Basic auth. */
  rest(method: 'GET' | 'POST', path: string, form?: Record<string, string | string[]>, auth?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  call(sid: string): Promise<Record<string, unknown>>;
  waitForStatus(sid: string, status: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startRig(clock?: Clock, voice?: Partial<VoiceSettings>): Promise<VoiceRig> {
  const sim = await startSimulator({ ...(clock ? { clock } : {}), ...(voice ? { voice: { speechTime: false, ...voice } } : {}) });
  const app = await AppServer.start();
  const handsets: TestHandset[] = [];
  const rig: VoiceRig = {
    sim,
    app,
    client: () => twilioClient(sim.baseUrl),
    async handset(number) {
      const handset = await TestHandset.connect(sim.wsUrl(number), { authorization: authHeader });
      handsets.push(handset);
      return handset;
    },
    async rest(method, path, form, auth = authHeader) {
      let body: string | undefined;
      if (form) {
        const search = new URLSearchParams();
        for (const [name, value] of Object.entries(form)) for (const v of Array.isArray(value) ? value : [value]) search.append(name, v);
        body = search.toString();
      }
      const response = await fetch(`${sim.baseUrl}${path}`, {
        method,
        headers: { authorization: auth, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        body,
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    async call(sid) {
      const { body } = await sim.api(`/api/calls/${sid}`);
      return body as Record<string, unknown>;
    },
    waitForStatus(sid, status) {
      return waitFor(`call ${sid} to be ${status}`, () => {
        const call = sim.sim.voice.engine.get(sid);
        return call?.status === status ? (call as unknown as Record<string, unknown>) : undefined;
      });
    },
    async stop() {
      for (const handset of handsets) handset.close();
      await sim.stop();
      await app.close();
    },
  };
  return rig;
}
