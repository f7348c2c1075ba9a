import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { parseVoiceApiUrl, VoiceApiClient, VoiceApiUrlError } from '../../../../gateway/rest/voice-api-client';
import { RestApiError, RestTransportError } from '../../../../gateway/rest/rest-errors';

const sid = 'AC' + '12'.repeat(16);
let server: http.Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

interface Seen { method: string; url: string; authorization?: string; body: URLSearchParams }

/** A stand-in carrier API on port 0 that records requests and answers with `reply`. */
function carrier(reply: (seen: Seen) => { status: number; body: string }): Promise<{ base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const entry = { method: req.method!, url: req.url!, authorization: req.headers.authorization, body: new URLSearchParams(raw) };
      seen.push(entry);
      const { status, body } = reply(entry);
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
  });
  return new Promise((resolve) => server!.listen(0, '127.0.0.1', () => resolve({ base: `http://127.0.0.1:${(server!.address() as { port: number }).port}`, seen })));
}

describe('voice API client', () => {
  it('parses Restcomm and Twilio base URLs and refuses others with a clear message', () => {
    expect(parseVoiceApiUrl(`http://${sid}:tok@127.0.0.1:4100/restcomm/2012-04-24`)).toMatchObject({
      baseUrl: 'http://127.0.0.1:4100/restcomm/2012-04-24', accountSid: sid, authToken: 'tok', flavour: 'restcomm',
    });
    expect(parseVoiceApiUrl(`https://${sid}:tok@api.example/2010-04-01/`).flavour).toBe('twilio');
    expect(() => parseVoiceApiUrl(`http://${sid}:tok@h/v1`)).toThrow(VoiceApiUrlError);
    expect(() => parseVoiceApiUrl('http://user:tok@h/2010-04-01')).toThrow(/account SID/);
  });

  it('creates a call with form parameters, Basic auth and every StatusCallbackEvent', async () => {
    const api = await carrier(() => ({ status: 201, body: JSON.stringify({ sid: 'CA' + 'f'.repeat(32), status: 'queued' }) }));
    const client = new VoiceApiClient(parseVoiceApiUrl(`http://${sid}:tok@${api.base.slice(7)}/restcomm/2012-04-24`));
    const { callSid } = await client.placeCall({ from: '+100', to: '+4915', url: 'http://app/rcml', timeoutSeconds: 10, statusCallback: 'http://app/status', statusCallbackEvents: ['ringing', 'completed'] });
    expect(callSid).toBe('CA' + 'f'.repeat(32));
    const [request] = api.seen;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe(`/restcomm/2012-04-24/Accounts/${sid}/Calls.json`);
    expect(request!.authorization).toBe(`Basic ${Buffer.from(`${sid}:tok`).toString('base64')}`);
    expect(Object.fromEntries(request!.body)).toMatchObject({ From: '+100', To: '+4915', Url: 'http://app/rcml', Timeout: '10', StatusCallback: 'http://app/status' });
    expect(request!.body.getAll('StatusCallbackEvent')).toEqual(['ringing', 'completed']);
  });

  it('cancels and completes calls, and sends SMS on the flavour-specific path', async () => {
    const api = await carrier(() => ({ status: 200, body: JSON.stringify({ sid: 'SM1', status: 'queued' }) }));
    const twilio = new VoiceApiClient(parseVoiceApiUrl(`http://${sid}:tok@${api.base.slice(7)}/2010-04-01`));
    const restcomm = new VoiceApiClient(parseVoiceApiUrl(`http://${sid}:tok@${api.base.slice(7)}/restcomm/2012-04-24`));
    await twilio.cancelCall('CA1');
    await twilio.completeCall('CA1');
    expect((await twilio.send({ from: '+1', to: '+2', text: 'hi' })).messageIds).toEqual(['SM1']);
    await restcomm.send({ to: '+2', text: 'hi' });
    expect(api.seen.map((s) => `${s.url} ${s.body.get('Status') ?? s.body.get('Body')}`)).toEqual([
      `/2010-04-01/Accounts/${sid}/Calls/CA1.json canceled`,
      `/2010-04-01/Accounts/${sid}/Calls/CA1.json completed`,
      `/2010-04-01/Accounts/${sid}/Messages.json hi`,
      `/restcomm/2012-04-24/Accounts/${sid}/SMS/Messages.json hi`,
    ]);
  });

  it('turns error bodies into typed errors: 4xx permanent, 429 and 5xx temporary', async () => {
    let status = 400;
    const api = await carrier(() => ({ status, body: JSON.stringify({ code: 21211, message: "The 'To' number is not valid", more_info: 'https://example/21211', status }) }));
    const client = new VoiceApiClient(parseVoiceApiUrl(`http://${sid}:tok@${api.base.slice(7)}/2010-04-01`));
    const bad = await client.placeCall({ from: '+1', to: 'x', url: 'http://a' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(RestApiError);
    expect(bad).toMatchObject({ status: 400, apiCode: 21211, temporary: false });
    status = 503;
    expect(await client.placeCall({ from: '+1', to: '+2', url: 'http://a' }).catch((e: unknown) => e)).toMatchObject({ status: 503, temporary: true });
  });

  it('reports an unreachable API as a temporary transport error', async () => {
    const client = new VoiceApiClient(parseVoiceApiUrl(`http://${sid}:tok@127.0.0.1:1/2010-04-01`));
    const error = await client.placeCall({ from: '+1', to: '+2', url: 'http://a' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestTransportError);
    expect((error as RestTransportError).temporary).toBe(true);
  });
});
