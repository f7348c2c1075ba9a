import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSmppUrl, SmppClient } from '../../../../gateway/smpp';
import { waitFor } from '../../../support/wait-for';

let server: net.Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** An SMSC that answers the bind and then goes silent, as a half-dead link does. */
function silentSmsc(): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  server = net.createServer((socket) => {
    connections++;
    socket.once('data', (bind) => {
      const resp = Buffer.alloc(25);
      resp.writeUInt32BE(25, 0);
      resp.writeUInt32BE(0x80000009, 4);
      resp.writeUInt32BE(0, 8);
      resp.writeUInt32BE(bind.readUInt32BE(12), 12);
      resp.write('silent\0', 16, 'ascii');
      socket.write(resp);
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => server!.listen(0, '127.0.0.1', () => resolve({ port: (server!.address() as net.AddressInfo).port, connections: () => connections })));
}

describe('SMPP client on a link that stops answering', () => {
  it('declares the link dead when enquire_link goes unanswered, and reconnects', async () => {
    const smsc = await silentSmsc();
    const client = new SmppClient({
      endpoint: parseSmppUrl(`smpp://a:b@127.0.0.1:${smsc.port}`),
      onDeliver: () => 0,
      enquireLinkIntervalMs: 50,
      responseTimeoutMs: 100,
      reconnect: { initialMs: 20, maxMs: 50, jitter: 0 },
    });
    const reasons: (string | undefined)[] = [];
    client.on('state', (state, reason) => { if (state === 'down') reasons.push(reason); });
    client.start();
    await client.waitUntilBound();
    await waitFor('a reconnect', () => smsc.connections() >= 2, 3_000);
    expect(reasons).toContain('enquire_link unanswered');
    await client.stop();
  });
});
