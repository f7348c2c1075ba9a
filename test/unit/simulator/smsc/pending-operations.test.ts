// Issue 10 (simulator): cancel_sm, replace_sm, submit_multi and submit_sm's replace_if_present_flag (SMPP 3.4
// §4.5, §4.9, §4.10, §5.2.19), with their effects on the handset, in the inspection API and in receipts, and
// the statuses that refuse them. Messages are held by schedule_delivery_time so that they are still pending.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandStatus } from '../../../../gateway/smpp';
import { decodeGsm7 } from '../../../../gateway/text';
import { authHeader, startSimulator, type RunningSimulator } from '../../../support/simulator-harness';
import { TestEsme, type EsmePdu } from '../../../support/esme';
import { TestHandset } from '../../../support/handset';
import { TestEventStream } from '../../../support/event-stream';
import { ManualClock } from '../../../support/manual-clock';
import { cString, pdu, RawPeer, bindTransceiverBody, COMMAND } from '../../../support/raw-smpp-peer';
import { waitFor } from '../../../support/wait-for';

const to = '4915200000888';
const inTenMinutes = '000000001000000R';
let clock: ManualClock;
let running: RunningSimulator;
let esme: TestEsme;
let handset: TestHandset;

beforeEach(async () => {
  clock = new ManualClock(Date.parse('2026-11-23T10:00:00Z'));
  running = await startSimulator({ clock, smsc: { inactivityTimeoutMs: 86_400_000 } });
  esme = await TestEsme.connect(running.smppPort);
  await esme.bind('transceiver');
  handset = await TestHandset.connect(running.wsUrl(`+${to}`), { authorization: authHeader });
});

afterEach(async () => {
  handset.close();
  esme.close();
  await running.stop();
});

async function submit(text: string, fields: Record<string, unknown> = {}): Promise<string> {
  const response = await esme.submit({ destination_addr: to, registered_delivery: 1, schedule_delivery_time: inTenMinutes, short_message: Buffer.from(text), ...fields });
  expect(response.command_status).toBe(CommandStatus.ESME_ROK);
  return String(response['message_id']);
}

interface MessageJson { id: string; text: string; status: string; replacedAt: string | null; segments: { messageId: string; state: number; receipt: string }[] }

async function messageWith(text: string): Promise<MessageJson> {
  const { body } = await running.api(`/api/messages?to=%2B${to}`);
  const found = (body as { messages: { id: string; text: string }[] }).messages.find((m) => m.text === text);
  if (!found) throw new Error(`no message "${text}"`);
  return (await running.api(`/api/messages/${found.id}`)).body as MessageJson;
}

/** Everything the SMSC and the handset socket sent before this has arrived. */
async function barrier(): Promise<void> {
  await esme.request('enquire_link');
  await handset.barrier();
}

const stat = (receipt: EsmePdu) => /stat:(\w+)/.exec(decodeGsm7(receipt['short_message'] as Buffer))?.[1];
const texts = () => handset.ofType('sms').map((f) => f['text']);

describe('cancel_sm', () => {
  it('cancels a held message by its id: DELETED, a receipt saying so, and the handset never gets it', async () => {
    const id = await submit('code 1111');
    const response = await esme.request('cancel_sm', { message_id: id, source_addr_ton: 5, source_addr: 'Acme', destination_addr: '' });
    expect(response.command).toBe('cancel_sm_resp');
    expect(response.command_status).toBe(CommandStatus.ESME_ROK);
    const [receipt] = await esme.waitForDeliveries(1, (d) => d['esm_class'] === 0x04);
    expect(receipt!['receipted_message_id']).toBe(id);
    expect(stat(receipt!)).toBe('DELETED');
    expect(receipt!['message_state']).toBe(4);
    expect(await messageWith('code 1111')).toMatchObject({ status: 'cancelled', segments: [{ messageId: id, state: 4, receipt: 'sent' }] });
    clock.advance(20 * 60_000);
    await barrier();
    expect(texts()).toEqual([]);
  });

  it('shows the cancellation on the event stream: the message updated to cancelled, its part DELETED', async () => {
    const events = await TestEventStream.connect(`ws://127.0.0.1:${running.httpPort}/ws/events`, { authorization: authHeader });
    try {
      const id = await submit('code 7777');
      await events.waitFor('message.created', (data) => data['text'] === 'code 7777' && data['status'] === 'scheduled');
      expect((await esme.request('cancel_sm', { message_id: id, source_addr_ton: 5, source_addr: 'Acme', destination_addr: '' })).command_status).toBe(CommandStatus.ESME_ROK);
      const updated = await events.waitFor('message.updated', (data) => data['status'] === 'cancelled');
      expect(updated.data).toMatchObject({ text: 'code 7777', segments: [{ messageId: id, state: 4 }] });
    } finally {
      events.close();
    }
  });

  it('cancels every pending message from a source to a destination of one service_type, leaving the others', async () => {
    await submit('code A', { service_type: 'VRFY' });
    await submit('code B', { service_type: 'VRFY' });
    await submit('news', { service_type: 'NEWS' });
    const response = await esme.request('cancel_sm', { service_type: 'VRFY', message_id: '', source_addr_ton: 5, source_addr: 'Acme', dest_addr_ton: 1, destination_addr: to });
    expect(response.command_status).toBe(CommandStatus.ESME_ROK);
    expect((await messageWith('code A')).status).toBe('cancelled');
    expect((await messageWith('code B')).status).toBe('cancelled');
    clock.advance(10 * 60_000);
    await handset.waitForFrames('sms');
    await barrier();
    expect(texts()).toEqual(['news']);
  });

  it('refuses what it cannot cancel: delivered (ESME_RCANCELFAIL), unknown id (ESME_RINVMSGID), another source (ESME_RINVSRCADR)', async () => {
    const delivered = await submit('code now', { schedule_delivery_time: '' });
    await handset.waitForFrames('sms');
    const held = await submit('code later');
    const cancel = (fields: Record<string, unknown>) => esme.request('cancel_sm', { source_addr_ton: 5, source_addr: 'Acme', destination_addr: '', ...fields });
    expect((await cancel({ message_id: delivered })).command_status).toBe(CommandStatus.ESME_RCANCELFAIL);
    expect((await cancel({ message_id: 'F00000000000000D' })).command_status).toBe(CommandStatus.ESME_RINVMSGID);
    expect((await cancel({ message_id: held, source_addr: 'Other' })).command_status).toBe(CommandStatus.ESME_RINVSRCADR);
    expect((await cancel({ message_id: '', destination_addr: '4915200000999', dest_addr_ton: 1 })).command_status).toBe(CommandStatus.ESME_RCANCELFAIL);
    expect((await messageWith('code later')).status).toBe('scheduled');
  });
});

describe('replace_sm', () => {
  it('gives a held message new text and a new time; the handset gets the new text then, under the same id', async () => {
    const id = await submit('code 1111');
    const response = await esme.request('replace_sm', {
      message_id: id,
      source_addr_ton: 5,
      source_addr: 'Acme',
      schedule_delivery_time: '000000002000000R',
      validity_period: '',
      registered_delivery: 1,
      short_message: Buffer.from('code 9999'),
    });
    expect(response.command).toBe('replace_sm_resp');
    expect(response.command_status).toBe(CommandStatus.ESME_ROK);
    const replaced = await messageWith('code 9999');
    expect(replaced).toMatchObject({ status: 'scheduled', segments: [{ messageId: id }] });
    expect(replaced.replacedAt).toBe('2026-11-23T10:00:00.000Z');
    clock.advance(10 * 60_000); // the old time: nothing yet
    await barrier();
    expect(texts()).toEqual([]);
    clock.advance(10 * 60_000);
    await handset.waitForFrames('sms');
    expect(texts()).toEqual(['code 9999']);
    const [receipt] = await esme.waitForDeliveries(1, (d) => d['esm_class'] === 0x04);
    expect(receipt!['receipted_message_id']).toBe(id);
    expect(stat(receipt!)).toBe('DELIVRD');
  });

  it('refuses a delivered message (ESME_RREPLACEFAIL), an unknown id (ESME_RINVMSGID) and a bad time (ESME_RINVSCHED)', async () => {
    const delivered = await submit('code now', { schedule_delivery_time: '' });
    await handset.waitForFrames('sms');
    const held = await submit('code later');
    const replace = (fields: Record<string, unknown>) =>
      esme.request('replace_sm', { source_addr_ton: 5, source_addr: 'Acme', registered_delivery: 1, short_message: Buffer.from('new'), ...fields });
    expect((await replace({ message_id: delivered })).command_status).toBe(CommandStatus.ESME_RREPLACEFAIL);
    expect((await replace({ message_id: 'F00000000000000D' })).command_status).toBe(CommandStatus.ESME_RINVMSGID);
    expect((await replace({ message_id: held, schedule_delivery_time: 'soon' })).command_status).toBe(CommandStatus.ESME_RINVSCHED);
    expect((await messageWith('code later')).replacedAt).toBeNull();
  });
});

describe('replace_if_present_flag', () => {
  it('replaces a pending message from the same source to the same destination with the same service_type', async () => {
    const first = await submit('code 1111', { service_type: 'VRFY' });
    await submit('news', { service_type: 'NEWS' });
    const second = await submit('code 2222', { service_type: 'VRFY', replace_if_present_flag: 1 });
    expect(second).not.toBe(first);
    expect(await messageWith('code 1111')).toMatchObject({ status: 'replaced', segments: [{ messageId: first, state: 4 }] });
    const [receipt] = await esme.waitForDeliveries(1, (d) => d['esm_class'] === 0x04);
    expect([receipt!['receipted_message_id'], stat(receipt!)]).toEqual([first, 'DELETED']);
    clock.advance(10 * 60_000);
    await handset.waitForFrames('sms', 2);
    await barrier();
    expect(texts().sort()).toEqual(['code 2222', 'news']);
  });
});

describe('submit_multi', () => {
  it('sends one message to several handsets under one id, listing the destinations it could not take', async () => {
    const second = '4915200000889';
    const rejected = '4915200000890';
    expect((await running.api(`/api/behaviours/%2B${rejected}`, { method: 'PUT', body: { sms: 'rejected' } })).status).toBe(200);
    const other = await TestHandset.connect(running.wsUrl(`+${second}`), { authorization: authHeader });
    try {
      const response = await esme.request('submit_multi', {
        source_addr_ton: 5,
        source_addr: 'Acme',
        dest_address: [
          { dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: to },
          { dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: second },
          { dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: rejected },
          { dl_name: 'friends' },
        ],
        registered_delivery: 1,
        short_message: Buffer.from('code 4242'),
      });
      expect(response.command).toBe('submit_multi_resp');
      expect(response.command_status).toBe(CommandStatus.ESME_ROK);
      const id = String(response['message_id']);
      expect(id).toMatch(/^[0-9a-f]{16}$/i);
      expect(response['unsuccess_sme']).toEqual([
        { dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: rejected, error_status_code: CommandStatus.ESME_RINVDSTADR },
        { dest_addr_ton: 0, dest_addr_npi: 0, destination_addr: 'friends', error_status_code: CommandStatus.ESME_RINVDLNAME },
      ]);
      expect((await handset.waitForFrames('sms'))[0]).toMatchObject({ text: 'code 4242' });
      expect((await other.waitForFrames('sms'))[0]).toMatchObject({ text: 'code 4242' });
      clock.advance(0);
      const receipts = await esme.waitForDeliveries(2, (d) => d['esm_class'] === 0x04);
      expect(receipts.map((r) => [r['receipted_message_id'], stat(r)])).toEqual([[id, 'DELIVRD'], [id, 'DELIVRD']]);
      const query = await esme.request('query_sm', { message_id: id, source_addr_ton: 5, source_addr: 'Acme' });
      expect([query.command_status, query['message_state']]).toEqual([CommandStatus.ESME_ROK, 2]);
    } finally {
      other.close();
    }
  });

  it('cancels every pending destination of a submit_multi by its one id', async () => {
    const response = await esme.request('submit_multi', {
      source_addr_ton: 5,
      source_addr: 'Acme',
      dest_address: [{ dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: to }, { dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '4915200000891' }],
      schedule_delivery_time: inTenMinutes,
      short_message: Buffer.from('code 5151'),
    });
    const cancel = await esme.request('cancel_sm', { message_id: response['message_id'], source_addr_ton: 5, source_addr: 'Acme', destination_addr: '' });
    expect(cancel.command_status).toBe(CommandStatus.ESME_ROK);
    const { body } = await running.api('/api/messages');
    expect((body as { messages: { status: string }[] }).messages.map((m) => m.status)).toEqual(['cancelled', 'cancelled']);
    clock.advance(10 * 60_000);
    await barrier();
    expect(texts()).toEqual([]);
  });

  it('refuses no destinations with ESME_RINVNUMDESTS and a dest_flag other than 1 or 2 with ESME_RINVDESTFLAG', async () => {
    const none = await esme.request('submit_multi', { source_addr: 'Acme', dest_address: [], short_message: Buffer.from('x') });
    expect([none.command, none.command_status]).toEqual(['submit_multi_resp', CommandStatus.ESME_RINVNUMDESTS]);

    const raw = await RawPeer.connect(running.smppPort);
    try {
      raw.socket.write(pdu(COMMAND.BIND_TRANSCEIVER, 1, bindTransceiverBody('verigate', 'verigate')));
      await waitFor('bind_transceiver_resp', () => raw.answer(1));
      const body = Buffer.concat([
        cString(''), Buffer.from([5, 0]), cString('Acme'),
        Buffer.from([1, 3, 1, 1]), cString(to), // one destination, dest_flag 3
        Buffer.from([0, 0, 0]), cString(''), cString(''), Buffer.from([0, 0, 0, 0, 1]), Buffer.from('x'),
      ]);
      raw.socket.write(pdu(SUBMIT_MULTI, 2, body));
      const answer = await waitFor('submit_multi_resp', () => raw.answer(2));
      expect([answer.commandId, answer.status]).toEqual([(SUBMIT_MULTI | 0x80000000) >>> 0, CommandStatus.ESME_RINVDESTFLAG]);
      // The session goes on.
      raw.socket.write(pdu(COMMAND.ENQUIRE_LINK, 3));
      expect((await waitFor('enquire_link_resp', () => raw.answer(3))).status).toBe(CommandStatus.ESME_ROK);
    } finally {
      raw.socket.destroy();
    }
  });

  it('is refused on a receiver bind (ESME_RINVBNDSTS), like cancel_sm and replace_sm', async () => {
    const receiver = await TestEsme.connect(running.smppPort);
    try {
      await receiver.bind('receiver');
      for (const command of ['submit_multi', 'cancel_sm', 'replace_sm']) {
        expect((await receiver.request(command, { message_id: 'x', source_addr: 'Acme', dest_address: [{ dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: to }] })).command_status).toBe(CommandStatus.ESME_RINVBNDSTS);
      }
    } finally {
      receiver.close();
    }
  });
});

const SUBMIT_MULTI = 0x00000021;
