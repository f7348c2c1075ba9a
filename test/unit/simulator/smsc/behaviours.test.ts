import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandStatus } from '../../../../gateway/smpp';
import { MessageState } from '../../../../gateway/receipt';
import { startSimulator, type RunningSimulator } from '../../../support/simulator-harness';
import { TestEsme, type EsmePdu } from '../../../support/esme';
import { ManualClock } from '../../../support/manual-clock';
import { waitFor } from '../../../support/wait-for';

let running: RunningSimulator;
let clock: ManualClock;
let esme: TestEsme;

const receiptText = (pdu: EsmePdu) => (pdu['short_message'] as Buffer).toString('latin1');

async function setBehaviour(number: string, body: object): Promise<void> {
  const { status } = await running.api(`/api/behaviours/${encodeURIComponent(number)}`, { method: 'PUT', body });
  expect(status).toBe(200);
}

const MARKER = '4915100000099';
const isMarker = (pdu: EsmePdu) => receiptText(pdu).endsWith('text:marker');
const notMarker = (pdu: EsmePdu) => !isMarker(pdu);

/**
 * The receipts sent so far, other than markers. A marker is submitted now with no receipt delay and
 * its receipt awaited: any receipt the SMSC decided on earlier went out before it on this session.
 */
async function receiptsUntilMarker(): Promise<EsmePdu[]> {
  await setBehaviour(MARKER, { receiptDelayMs: 0 });
  const marker = await esme.submit({ destination_addr: MARKER, registered_delivery: 1, short_message: Buffer.from('marker') });
  clock.advance(0);
  await esme.waitForDeliveries(1, (pdu) => pdu['receipted_message_id'] === marker['message_id']);
  return esme.receipts().filter(notMarker);
}

beforeEach(async () => {
  clock = new ManualClock();
  running = await startSimulator({ clock, network: { receiptDelayMs: 2_000 } });
  esme = await TestEsme.connect(running.smppPort);
  await esme.bind('transceiver');
});

afterEach(async () => {
  esme.close();
  await running.stop();
});

describe('per-number behaviours', () => {
  it('delivers by default and sends DELIVRD only once the receipt delay has passed', async () => {
    const resp = await esme.submit({ destination_addr: '4915100000001', registered_delivery: 1, short_message: Buffer.from('hello') });
    expect(resp.command_status).toBe(CommandStatus.ESME_ROK);
    clock.advance(1_999);
    expect(await receiptsUntilMarker()).toHaveLength(0);
    clock.advance(1);
    const [receipt] = await esme.waitForDeliveries(1, notMarker);
    expect(receipt!['receipted_message_id']).toBe(resp['message_id']);
    expect(receipt!['message_state']).toBe(MessageState.DELIVERED);
    expect(receiptText(receipt!)).toMatch(new RegExp(`^id:${String(resp['message_id'])} sub:001 dlvrd:001 submit date:\\d{10} done date:\\d{10} stat:DELIVRD err:000 text:hello$`));
    expect(receipt!['source_addr']).toBe('4915100000001');
    expect(receipt!['destination_addr']).toBe('Acme');
  });

  it.each([
    ['undeliverable', 'UNDELIV', MessageState.UNDELIVERABLE, '001'],
    ['expired', 'EXPIRED', MessageState.EXPIRED, '000'],
    ['absent', 'UNDELIV', MessageState.UNDELIVERABLE, '027'],
  ])('accepts for a number set to %s and reports stat %s', async (behaviour, stat, state, err) => {
    await setBehaviour('+4915100000002', { sms: behaviour });
    const resp = await esme.submit({ destination_addr: '4915100000002', registered_delivery: 1, short_message: Buffer.from('x') });
    expect(resp.command_status).toBe(CommandStatus.ESME_ROK);
    clock.advance(2_000);
    const [receipt] = await esme.waitForDeliveries(1);
    expect(receipt!['message_state']).toBe(state);
    expect(receiptText(receipt!)).toContain(`dlvrd:000`);
    expect(receiptText(receipt!)).toContain(`stat:${stat} err:${err}`);
    const { body } = await running.api('/api/messages?to=%2B4915100000002');
    expect((body as { messages: { status: string; receivedByHandsetAt: null }[] }).messages[0]).toMatchObject({ status: behaviour, receivedByHandsetAt: null });
  });

  it.each([
    ['rejected', CommandStatus.ESME_RINVDSTADR],
    ['throttled', CommandStatus.ESME_RTHROTTLED],
    ['queue-full', CommandStatus.ESME_RMSGQFUL],
  ])('refuses at submit for a number set to %s', async (behaviour, status) => {
    await setBehaviour('4915100000003', { sms: behaviour });
    const resp = await esme.submit({ destination_addr: '4915100000003', registered_delivery: 1, short_message: Buffer.from('x') });
    expect(resp.command_status).toBe(status);
    const { body } = await running.api('/api/messages');
    expect((body as { messages: unknown[] }).messages).toHaveLength(0);
  });

  it('honours registered_delivery: none sends nothing, failure-only reports failures alone', async () => {
    await setBehaviour('4915100000005', { sms: 'undeliverable' });
    await esme.submit({ destination_addr: '4915100000004', registered_delivery: 0, short_message: Buffer.from('none') });
    await esme.submit({ destination_addr: '4915100000004', registered_delivery: 2, short_message: Buffer.from('ok, failure only') });
    const failed = await esme.submit({ destination_addr: '4915100000005', registered_delivery: 2, short_message: Buffer.from('fails') });
    clock.advance(2_000);
    const receipts = await receiptsUntilMarker();
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!['receipted_message_id']).toBe(failed['message_id']);
  });

  it('uses a per-number receipt delay over the global one', async () => {
    await setBehaviour('4915100000006', { receiptDelayMs: 10_000 });
    await esme.submit({ destination_addr: '4915100000006', registered_delivery: 1, short_message: Buffer.from('slow') });
    clock.advance(9_999);
    expect(await receiptsUntilMarker()).toHaveLength(0);
    clock.advance(1);
    const [receipt] = await esme.waitForDeliveries(1, notMarker);
    expect(receiptText(receipt!)).toMatch(/text:slow$/);
  });

  it('keeps a receipt until a receiver of the same system_id binds', async () => {
    const tx = await TestEsme.connect(running.smppPort);
    await tx.bind('transmitter');
    esme.close();
    await waitFor('the transceiver to be gone', () => !running.sim.smsc.hasReceiver());
    const resp = await tx.submit({ destination_addr: '4915100000007', registered_delivery: 1, short_message: Buffer.from('later') });
    clock.advance(2_000);
    const rx = await TestEsme.connect(running.smppPort);
    await rx.bind('receiver');
    const [receipt] = await rx.waitForDeliveries(1);
    expect(receipt!['receipted_message_id']).toBe(resp['message_id']);
    expect(tx.deliveries).toHaveLength(0);
    tx.close();
    rx.close();
    esme = await TestEsme.connect(running.smppPort);
  });

  it('caps throughput globally and answers ESME_RTHROTTLED above it', async () => {
    expect((await running.api('/api/settings', { method: 'PUT', body: { maxSubmitsPerSecond: 3 } })).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await esme.submit({ destination_addr: '4915100000008', short_message: Buffer.from(`m${i}`) })).command_status);
    }
    expect(statuses).toEqual([0, 0, 0, CommandStatus.ESME_RTHROTTLED, CommandStatus.ESME_RTHROTTLED]);
    clock.advance(1_000);
    expect((await esme.submit({ destination_addr: '4915100000008', short_message: Buffer.from('again') })).command_status).toBe(0);
  });

  it('answers query_sm with the state the receipt reports', async () => {
    const resp = await esme.submit({ destination_addr: '4915100000009', short_message: Buffer.from('q') });
    const before = await esme.request('query_sm', { message_id: resp['message_id'], source_addr: 'Acme', source_addr_ton: 5 });
    expect(before['message_state']).toBe(MessageState.ENROUTE);
    clock.advance(2_000);
    await waitFor('the outcome', () => running.sim.store.segment(String(resp['message_id']))?.doneAt);
    const after = await esme.request('query_sm', { message_id: resp['message_id'], source_addr: 'Acme', source_addr_ton: 5 });
    expect(after['message_state']).toBe(MessageState.DELIVERED);
    expect((await esme.request('query_sm', { message_id: 'nope', source_addr: 'Acme' })).command_status).toBe(CommandStatus.ESME_RINVMSGID);
  });

  it('rejects an unknown behaviour name through the control API with a clear 400', async () => {
    const { status, body } = await running.api('/api/behaviours/4915100000010', { method: 'PUT', body: { sms: 'explode' } });
    expect(status).toBe(400);
    expect((body as { message: string }).message).toMatch(/sms/);
  });
});
