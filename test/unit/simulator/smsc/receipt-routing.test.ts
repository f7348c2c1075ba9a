// Issue 13 ("Receipts"): receipts and MO go to the bind that submitted (default), or round robin to any
// receiver bind of the system_id (--receipt-routing any), as SMSCs that spread by system_id do.
import { afterEach, describe, expect, it } from 'vitest';
import { CommandStatus } from '../../../../gateway/smpp';
import type { ReceiptRouting } from '../../../../simulator';
import { loadConfig } from '../../../../bin/config';
import { startSimulator, type RunningSimulator } from '../../../support/simulator-harness';
import { TestEsme, type EsmePdu } from '../../../support/esme';
import { ManualClock } from '../../../support/manual-clock';
import { waitFor } from '../../../support/wait-for';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function simulator(receiptRouting?: ReceiptRouting, clock?: ManualClock): Promise<RunningSimulator> {
  const running = await startSimulator({ ...(receiptRouting ? { smsc: { receiptRouting } } : {}), ...(clock ? { clock } : {}) });
  cleanups.push(() => running.stop());
  return running;
}

async function esme(running: RunningSimulator, mode: 'transmitter' | 'receiver' | 'transceiver', localAddress = '127.0.0.1'): Promise<TestEsme> {
  const client = await TestEsme.connect(running.smppPort, '127.0.0.1', localAddress);
  cleanups.push(() => client.close());
  expect((await client.bind(mode)).command_status).toBe(CommandStatus.ESME_ROK);
  return client;
}

async function submitWithReceipts(from: TestEsme, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await from.submit({ destination_addr: `491520000010${i}`, registered_delivery: 1, short_message: Buffer.from(`code ${i}`) });
    ids.push(String(response['message_id']));
  }
  return ids;
}

const receiptIds = (client: TestEsme) => client.receipts().map((r) => String(r['receipted_message_id'])).sort();
const mo = (client: TestEsme) => client.deliveries.filter((d: EsmePdu) => d['esm_class'] === 0);

async function allReceipts(clients: TestEsme[], count: number): Promise<void> {
  await waitFor(`${count} receipts`, () => clients.reduce((sum, c) => sum + c.receipts().length, 0) >= count);
}

describe('receipt routing: submitter (the default)', () => {
  it('sends each receipt to the transceiver that submitted its message, of two binds of one system_id', async () => {
    const running = await simulator();
    const [a, b] = [await esme(running, 'transceiver'), await esme(running, 'transceiver')];
    const fromA = await submitWithReceipts(a, 3);
    const fromB = await submitWithReceipts(b, 3);
    await allReceipts([a, b], 6);
    expect(receiptIds(a)).toEqual(fromA.sort());
    expect(receiptIds(b)).toEqual(fromB.sort());
  });

  it("sends a transmitter's receipts to the receiver bound from its address, not to another instance's bind", async () => {
    const running = await simulator();
    const transmitter = await esme(running, 'transmitter', '127.0.0.1');
    const itsReceiver = await esme(running, 'receiver', '127.0.0.1');
    const otherInstance = await esme(running, 'transceiver', '127.0.0.2');
    const ids = await submitWithReceipts(transmitter, 4);
    await allReceipts([itsReceiver, otherInstance], 4);
    expect(receiptIds(itsReceiver)).toEqual(ids.sort());
    expect(otherInstance.receipts()).toEqual([]);
  });

  it('sends an MO to the bind that last sent that handset a message from the address the MO answers', async () => {
    const running = await simulator();
    const [a, b] = [await esme(running, 'transceiver'), await esme(running, 'transceiver')];
    await b.submit({ source_addr: 'Other', destination_addr: '4915200000200', short_message: Buffer.from('hi') });
    await a.submit({ source_addr: 'Acme', destination_addr: '4915200000200', short_message: Buffer.from('code 1') });
    for (const text of ['STOP', 'HELP', 'START']) {
      expect((await running.api('/api/handsets/%2B4915200000200/sms', { method: 'POST', body: { to: 'Acme', text } })).status).toBe(201);
    }
    await waitFor('3 MO', () => mo(a).length + mo(b).length >= 3);
    expect(mo(a).map((d) => (d['short_message'] as Buffer).toString('latin1')).sort()).toEqual(['HELP', 'START', 'STOP']);
    expect(mo(b)).toEqual([]);
  });

  it('falls back to another receiver of the system_id once the submitting bind is gone', async () => {
    const clock = new ManualClock();
    const running = await simulator(undefined, clock);
    const [a, b] = [await esme(running, 'transceiver'), await esme(running, 'transceiver')];
    const [id] = await submitWithReceipts(a, 1);
    a.close();
    await waitFor('the SMSC to see the close', () => running.sim.smsc.binds().length === 1);
    clock.advance(0); // the outcome, and its receipt, are due now
    await allReceipts([b], 1);
    expect(receiptIds(b)).toEqual([id]);
  });
});

describe('receipt routing: any', () => {
  it('spreads receipts and MO round robin over every receiver bind of the system_id', async () => {
    const running = await simulator('any');
    const [a, b] = [await esme(running, 'transceiver'), await esme(running, 'transceiver')];
    const ids = await submitWithReceipts(a, 4);
    await allReceipts([a, b], 4);
    expect(a.receipts()).toHaveLength(2);
    expect(b.receipts()).toHaveLength(2);
    expect([...receiptIds(a), ...receiptIds(b)].sort()).toEqual(ids.sort());
    for (const text of ['STOP', 'HELP']) {
      await running.api('/api/handsets/%2B4915200000100/sms', { method: 'POST', body: { to: 'Acme', text } });
    }
    await waitFor('2 MO', () => mo(a).length + mo(b).length >= 2);
    expect([mo(a).length, mo(b).length]).toEqual([1, 1]);
  });
});

describe('the receipt-routing setting', () => {
  it('is submitter by default, any from VERIGATE_RECEIPT_ROUTING, and refuses anything else naming the flag', () => {
    expect(loadConfig({ flags: {}, env: {} }).receiptRouting).toBe('submitter');
    expect(loadConfig({ flags: {}, env: { VERIGATE_RECEIPT_ROUTING: 'any' } }).receiptRouting).toBe('any');
    expect(() => loadConfig({ flags: { 'receipt-routing': 'sideways' }, env: {} })).toThrow(/--receipt-routing: must be "submitter" or "any"/);
  });
});
