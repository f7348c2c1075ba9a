import { once } from 'node:events';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, authHeader } from '../support/simulator-harness';
import { startStack } from '../support/stack-harness';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const BAD_ESCAPES = ['%E0%A4%A', '%ZZ', '%', '%C3%28'];

async function call(url: string, method: string, authorized: boolean): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method,
    headers: { ...(authorized ? { authorization: authHeader } : {}), ...(method === 'GET' ? {} : { 'content-type': 'application/x-www-form-urlencoded' }) },
    body: method === 'GET' ? undefined : 'To=%2B4915112340001',
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('a malformed % escape in a path', () => {
  it('answers 400 with a clear error on every simulator route, with or without credentials, and the simulator serves on', async () => {
    const sim = await startSimulator();
    cleanups.push(() => sim.stop());
    const paths = ['/api/handsets/{bad}/messages', '/api/handsets/{bad}/sms', '/api/behaviours/{bad}', '/api/messages/{bad}',
      '/api/scenarios/{bad}', '/2010-04-01/Accounts/{bad}/Calls.json', '/restcomm/2012-04-24/Accounts/{bad}/Calls/{bad}', '/{bad}'];
    for (const bad of BAD_ESCAPES) {
      for (const path of paths) {
        for (const [method, authorized] of [['GET', true], ['POST', true], ['GET', false]] as const) {
          const answer = await call(sim.baseUrl + path.replaceAll('{bad}', bad), method, authorized);
          expect(answer, `${method} ${path} with ${bad}`).toEqual({
            status: 400,
            body: { code: 'bad_request', status: 400, message: expect.stringMatching(/^the path has a malformed percent escape/) },
          });
        }
      }
    }
    expect(await sim.api('/api/messages')).toMatchObject({ status: 200 });
  });

  it('answers 400 to a WebSocket upgrade and closes its socket', async () => {
    const sim = await startSimulator();
    cleanups.push(() => sim.stop());
    const socket = connect(sim.httpPort, '127.0.0.1');
    cleanups.push(() => socket.destroy());
    let received = '';
    socket.on('data', (chunk) => { received += chunk.toString(); });
    socket.write(`GET /ws/handsets/%E0%A4%A HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n`
      + `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: ${authHeader}\r\n\r\n`);
    await once(socket, 'close');
    expect(received).toMatch(/^HTTP\/1.1 400 /);
    expect(received).toContain('malformed percent escape');
  });

  it('answers 400 (code 60200) on every verifier route, and the verifier serves on', async () => {
    const stack = await startStack();
    cleanups.push(() => stack.stop());
    const paths = ['/v2/Services/{bad}', '/v2/Services/{bad}/Verifications', '/v2/Services/{bad}/VerificationCheck',
      '/v2/Services/VA00000000000000000000000000000000/Verifications/{bad}', '/v2/voice/rcml/{bad}/repeat', '/v2/voice/status/{bad}', '/{bad}'];
    for (const bad of BAD_ESCAPES) {
      for (const path of paths) {
        for (const [method, authorized] of [['GET', true], ['POST', true], ['POST', false]] as const) {
          const answer = await call(stack.verifyUrl + path.replaceAll('{bad}', bad), method, authorized);
          expect(answer, `${method} ${path} with ${bad}`).toEqual({
            status: 400,
            body: expect.objectContaining({ code: 60200, status: 400, message: expect.stringMatching(/^The path has a malformed percent escape/) }),
          });
        }
      }
    }
    expect(await stack.verify('/v2/Services')).toMatchObject({ status: 200 });
  });
});
