// Issue 9, "SMPP peer that never reads": no connection can grow the SMSC's memory, hold a socket open
// without binding, or take every connection slot.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandStatus } from '../../gateway/smpp';
import { startSimulator, type RunningSimulator } from '../support/simulator-harness';
import { TestEsme } from '../support/esme';
import { ManualClock } from '../support/manual-clock';
import { COMMAND, pdu, RawPeer } from '../support/raw-smpp-peer';
import { waitFor } from '../support/wait-for';
import type { RefusalReport } from '../../simulator/smsc/smsc-server';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function simulator(options: Parameters<typeof startSimulator>[0] = {}): Promise<RunningSimulator> {
  const running = await startSimulator(options);
  cleanups.push(() => running.stop());
  return running;
}

async function esme(port: number, localAddress?: string): Promise<TestEsme> {
  const client = await TestEsme.connect(port, '127.0.0.1', localAddress);
  cleanups.push(() => client.close());
  return client;
}

async function rawPeer(port: number, localAddress?: string): Promise<RawPeer> {
  const peer = await RawPeer.connect(port, localAddress);
  cleanups.push(() => peer.socket.destroy());
  return peer;
}

const submit = { destination_addr: '4915111111111', short_message: Buffer.from('still served') };

describe('an SMPP peer that writes without reading', () => {
  it('is held back once its unread answers pass the bound, while other ESMEs bind and submit', async () => {
    const bound = 64 * 1024;
    const running = await simulator({ smsc: { maxBufferedBytes: bound } });
    // A socket with no 'data' listener never reads what the SMSC answers.
    const flooder = net.connect({ port: running.smppPort, host: '127.0.0.1' });
    flooder.on('error', () => undefined);
    cleanups.push(() => flooder.destroy());
    await new Promise((resolve) => flooder.once('connect', resolve));
    const onServer = () => running.sim.smsc.connections().find((c) => c.remote === `127.0.0.1:${flooder.localPort}`);

    const perChunk = 1_000;
    const chunk = Buffer.concat(Array.from({ length: perChunk }, (_, i) => pdu(COMMAND.ENQUIRE_LINK, i + 1)));
    let written = 0;
    // At least 100,000 enquire_links, and on until the SMSC stops reading (the kernel's buffers take the first megabytes).
    const overBound = () => (onServer()?.peakBufferedBytes ?? 0) > bound + 16;
    for (;;) {
      if ((onServer()?.readingPaused && written >= 100_000) || overBound()) break;
      if (written >= 4_000_000) throw new Error(`the SMSC still reads after ${written} enquire_links it cannot answer`);
      written += perChunk;
      if (!flooder.write(chunk)) {
        await waitFor('the flooder to drain, or the SMSC to stop reading it', () => flooder.writableLength === 0 || onServer()?.readingPaused || overBound(), 15_000);
      }
    }
    // Its unsent output never passed the bound by more than the one answer that crossed it.
    expect(onServer()!.peakBufferedBytes).toBeLessThanOrEqual(bound + 16);

    const other = await esme(running.smppPort);
    expect((await other.bind('transceiver')).command_status).toBe(CommandStatus.ESME_ROK);
    expect((await other.submit(submit)).command_status).toBe(CommandStatus.ESME_ROK);
    expect(onServer()!.peakBufferedBytes).toBeLessThanOrEqual(bound + 16);
    flooder.destroy();
    await waitFor('the SMSC to drop the flooder', () => !onServer());
  });

  it('closes a connection that has not bound at the bind timeout, however often it sends enquire_link', async () => {
    const clock = new ManualClock();
    const running = await simulator({ clock, smsc: { bindTimeoutMs: 1_000 } });
    const unbound = await rawPeer(running.smppPort);
    const boundEsme = await esme(running.smppPort);
    await boundEsme.bind('transceiver');
    for (let sequence = 1; sequence <= 3; sequence++) {
      unbound.socket.write(pdu(COMMAND.ENQUIRE_LINK, sequence));
      const answer = await waitFor(`enquire_link_resp ${sequence}`, () => unbound.answer(sequence));
      expect(answer.commandId).toBe(COMMAND.ENQUIRE_LINK_RESP);
      clock.advance(300);
    }
    expect(unbound.closed).toBe(false);
    clock.advance(100); // 1,000 ms since it connected
    await waitFor('the unbound connection to be closed', () => unbound.closed);
    // The bound session is under the inactivity timer instead, and stays.
    expect((await boundEsme.request('enquire_link')).command_status).toBe(CommandStatus.ESME_ROK);
  });

  it('refuses connections past the per-address and global caps, reporting each source once per interval', async () => {
    const clock = new ManualClock();
    const running = await simulator({ clock, smsc: { maxConnections: 4, maxConnectionsPerAddress: 2, refusalReportIntervalMs: 60_000 } });
    const reports: RefusalReport[] = [];
    running.sim.smsc.on('refused', (report) => reports.push(report));

    const first = await esme(running.smppPort, '127.0.0.1');
    await esme(running.smppPort, '127.0.0.1');
    const third = await rawPeer(running.smppPort, '127.0.0.1');
    await waitFor('the third connection from 127.0.0.1 to be closed', () => third.closed);
    expect(third.received).toEqual([]);

    const fromElsewhere = [await esme(running.smppPort, '127.0.0.2'), await esme(running.smppPort, '127.0.0.2')];
    for (const client of fromElsewhere) expect((await client.bind('transceiver')).command_status).toBe(CommandStatus.ESME_ROK);
    const overGlobal = await rawPeer(running.smppPort, '127.0.0.3');
    await waitFor('the fifth connection to be closed', () => overGlobal.closed);

    expect((await first.bind('transceiver')).command_status).toBe(CommandStatus.ESME_ROK);
    expect((await first.submit(submit)).command_status).toBe(CommandStatus.ESME_ROK);
    expect(reports).toEqual([
      { address: '127.0.0.1', reason: 'too-many-from-address', count: 1 },
      { address: '127.0.0.3', reason: 'too-many-connections', count: 1 },
    ]);

    // Refused again within the interval: held back; after it, one report counting both.
    const again = await rawPeer(running.smppPort, '127.0.0.3');
    await waitFor('the refused connection to be closed', () => again.closed);
    expect(reports).toHaveLength(2);
    clock.advance(60_000);
    const later = await rawPeer(running.smppPort, '127.0.0.3');
    await waitFor('the refused connection to be closed', () => later.closed);
    expect(reports.at(-1)).toEqual({ address: '127.0.0.3', reason: 'too-many-connections', count: 2 });

    // A slot freed is a slot again.
    first.close();
    await waitFor('the SMSC to see the close', () => running.sim.smsc.connections().length === 3);
    const replacement = await esme(running.smppPort, '127.0.0.1');
    expect((await replacement.bind('transceiver')).command_status).toBe(CommandStatus.ESME_ROK);
  });
});
