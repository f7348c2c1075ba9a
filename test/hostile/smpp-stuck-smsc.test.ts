// Issue 10 (gateway): an SMSC that stops reading cannot make the verifier's ESME grow its memory. The link
// bounds its unread output per connection (64 KiB): it stops reading the SMSC's requests and holds its own
// submits until the SMSC reads again, or the link is dropped.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSmppUrl, SmppClient, SmppLinkDownError } from '../../gateway/smpp';
import { ManualClock } from '../support/manual-clock';
import { rawDeliverSm } from '../support/hostile-smsc';
import { waitFor } from '../support/wait-for';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const BIND_TRANSCEIVER = 0x00000009;

/** An SMSC that answers the bind, then never reads again and floods deliver_sm (MO) for as long as the ESME takes them. */
async function stuckSmsc(): Promise<{ port: number; hangUp(): void }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((connection) => {
    sockets.push(connection);
    connection.on('error', () => undefined);
    connection.once('data', (bind) => {
      connection.pause(); // from now on, nothing the ESME writes is read
      const answer = Buffer.concat([Buffer.alloc(16), Buffer.from('stuck\0', 'latin1')]);
      answer.writeUInt32BE(answer.length, 0);
      answer.writeUInt32BE((BIND_TRANSCEIVER | 0x80000000) >>> 0, 4);
      answer.writeUInt32BE(bind.readUInt32BE(12), 12);
      connection.write(answer);
      const chunk = Buffer.concat(Array.from({ length: 500 }, (_, i) => rawDeliverSm(i + 1, { text: 'HELP', esmClass: 0 })));
      // Until the ESME stops taking them: once our writes stay queued, TCP holds us back.
      const flood = () => {
        while (connection.writable) {
          if (!connection.write(chunk)) {
            connection.once('drain', flood);
            return;
          }
        }
      };
      flood();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hangUp = () => {
    for (const socket of sockets) socket.destroy();
  };
  cleanups.push(() => new Promise<void>((resolve) => {
    hangUp();
    server.close(() => resolve());
  }));
  return { port: (server.address() as net.AddressInfo).port, hangUp };
}

describe('an SMSC that never reads what the ESME writes', () => {
  it('holds the ESME to a bounded output: it stops reading the flood, writes no submit into it, and drops the link', async () => {
    const { port, hangUp } = await stuckSmsc();
    const clock = new ManualClock();
    const bound = 64 * 1024;
    let answered = 0;
    const esme = new SmppClient({
      endpoint: parseSmppUrl(`smpp://verigate:verigate@127.0.0.1:${port}`),
      onDeliver: () => { answered++; return 0; },
      clock,
      responseTimeoutMs: 5_000,
      enquireLinkIntervalMs: 30_000,
    });
    // The clock is manual: the SMSC hangs up first, so that stopping waits for no unbind it would never answer.
    cleanups.push(async () => {
      hangUp();
      await esme.stop();
    });
    esme.start();
    await esme.waitUntilBound();

    // The kernel's buffers take the first megabytes of answers; then ours fill, and the ESME stops reading.
    await waitFor('the ESME to stop reading the SMSC', () => esme.buffers.readingPaused, 15_000);
    const answeredWhenPaused = answered;
    expect(esme.buffers.peakBufferedBytes).toBeGreaterThan(bound);
    // Past the bound by at most the answers to what one socket read had already taken in (64 KiB of requests).
    expect(esme.buffers.peakBufferedBytes).toBeLessThan(2 * bound);

    // A code to send now waits for the SMSC to read instead of joining the pile.
    const pending = esme.submit({ source_addr: 'Verigate', destination_addr: '4915111111111', short_message: Buffer.from('code 1234') });
    const outcome = pending.then(() => 'answered', (error: Error) => error);
    const buffered = esme.buffers.bufferedBytes;
    await new Promise((resolve) => setImmediate(resolve)); // the submit goes as far as it may
    expect(esme.buffers.bufferedBytes).toBeLessThanOrEqual(buffered);
    // The SMSC does not answer enquire_link either: the link is dropped, and the submit that waited fails as never sent
    // (one written and unanswered would fail with SmppSessionClosedError instead).
    clock.advance(30_000);
    clock.advance(5_000);
    const error = await outcome;
    expect(error).toBeInstanceOf(SmppLinkDownError);
    expect((error as Error).message).toMatch(/not reading/);
    expect(answered).toBe(answeredWhenPaused);
  });
});
