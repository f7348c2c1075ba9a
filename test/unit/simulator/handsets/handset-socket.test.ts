import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, authHeader, credentials, type RunningSimulator } from '../../../support/simulator-harness';
import { TestHandset } from '../../../support/handset';
import { TestEsme } from '../../../support/esme';

let running: RunningSimulator;

beforeEach(async () => {
  running = await startSimulator();
});

afterEach(async () => {
  await running.stop();
});

describe('handset WebSocket', () => {
  it('refuses an upgrade without credentials or with a wrong token, and accepts ?access_token', async () => {
    await expect(TestHandset.connect(running.wsUrl('+491700000001'))).rejects.toThrow(/401/);
    await expect(TestHandset.connect(`${running.wsUrl('+491700000001')}?access_token=wrong`)).rejects.toThrow(/401/);
    const handset = await TestHandset.connect(`${running.wsUrl('+491700000001')}?access_token=${credentials.authToken}`);
    expect(handset.socket.readyState).toBe(WebSocket.OPEN);
    handset.close();
  });

  it('refuses a number that is not E.164 with 400', async () => {
    await expect(TestHandset.connect(running.wsUrl('not-a-number'), { authorization: authHeader })).rejects.toThrow(/400/);
  });

  it('answers each malformed frame with an error frame and stays open for the next', async () => {
    const handset = await TestHandset.connect(running.wsUrl('+491700000002'), { authorization: authHeader });
    const bad = [
      '{not json',
      '[]',
      JSON.stringify({ type: 'teleport' }),
      JSON.stringify({ type: 'sms.send', to: '123' }),
      JSON.stringify({ type: 'sms.send', to: '', text: 'x' }),
      JSON.stringify({ type: 'call.dtmf', callSid: 'CA1', digits: '12a' }),
      JSON.stringify({ type: 'call.reject', callSid: 'CA1', reason: 'bored' }),
    ];
    for (const frame of bad) handset.send(frame);
    handset.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    const errors = await handset.waitForFrames('error', bad.length + 1);
    expect(errors.map((e) => e['message'])).toEqual([
      'frame is not JSON',
      'frame must be a JSON object',
      'unknown frame type "teleport"',
      '"text" must be a non-empty string',
      '"to" must be a non-empty string',
      '"digits" may hold only 0-9, * and #',
      '"reason" must be "busy" or "rejected"',
      'frames must be JSON text',
    ]);
    handset.send({ type: 'sms.send', to: '+491700000003', text: 'still works' });
    await handset.waitForFrames('sms.sent');
    expect(handset.socket.readyState).toBe(WebSocket.OPEN);
    handset.close();
  });

  it('closes a socket that sends a frame over the size limit, and others keep receiving', async () => {
    const flooder = await TestHandset.connect(running.wsUrl('+491700000004'), { authorization: authHeader });
    const other = await TestHandset.connect(running.wsUrl('+491700000005'), { authorization: authHeader });
    flooder.send('x'.repeat(200 * 1024));
    await new Promise<void>((resolve) => flooder.socket.once('close', () => resolve()));
    const esme = await TestEsme.connect(running.smppPort);
    await esme.bind('transmitter');
    await esme.submit({ destination_addr: '491700000005', short_message: Buffer.from('for the other one') });
    const [sms] = await other.waitForFrames('sms');
    expect(sms!['text']).toBe('for the other one');
    esme.close();
    other.close();
  });

  it('delivers to every socket open for the same number', async () => {
    const a = await TestHandset.connect(running.wsUrl('+491700000006'), { authorization: authHeader });
    const b = await TestHandset.connect(running.wsUrl('491700000006'), { authorization: authHeader });
    const esme = await TestEsme.connect(running.smppPort);
    await esme.bind('transmitter');
    await esme.submit({ destination_addr: '491700000006', short_message: Buffer.from('both') });
    await a.waitForFrames('sms');
    await b.waitForFrames('sms');
    esme.close();
    a.close();
    b.close();
  });
});
