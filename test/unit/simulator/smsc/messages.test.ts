import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandStatus } from '../../../../gateway/smpp';
import { startSimulator, authHeader, type RunningSimulator } from '../../../support/simulator-harness';
import { TestEsme } from '../../../support/esme';
import { TestHandset } from '../../../support/handset';

let running: RunningSimulator;
let esme: TestEsme;
const to = '+4915200000001';

function ucs2(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

beforeEach(async () => {
  running = await startSimulator();
  esme = await TestEsme.connect(running.smppPort);
  await esme.bind('transceiver');
});

afterEach(async () => {
  esme.close();
  await running.stop();
});

describe('messages submitted over SMPP', () => {
  it('reassembles parts sent with sar_* TLVs, out of order, into one message', async () => {
    const handset = await TestHandset.connect(running.wsUrl(to), { authorization: authHeader });
    const parts = ['first part / ', 'second part / ', 'third part'];
    const order = [2, 0, 1];
    const responses = [];
    for (const i of order) {
      responses.push(await esme.submit({
        destination_addr: to.slice(1),
        data_coding: 3,
        short_message: Buffer.from(parts[i]!, 'latin1'),
        sar_msg_ref_num: 0x1234,
        sar_total_segments: 3,
        sar_segment_seqnum: i + 1,
      }));
    }
    expect(responses.every((r) => r.command_status === 0)).toBe(true);
    const [sms] = await handset.waitForFrames('sms');
    expect(sms!['text']).toBe(parts.join(''));
    await handset.barrier();
    expect(handset.ofType('sms')).toHaveLength(1);
    handset.close();
  });

  it('reassembles UDH parts with a 16-bit reference (06 08 04) in UCS-2', async () => {
    const handset = await TestHandset.connect(running.wsUrl(to), { authorization: authHeader });
    const text = ['Привет, ', 'мир! 👋'];
    for (const [i, chunk] of text.entries()) {
      const udh = Buffer.from([0x06, 0x08, 0x04, 0xab, 0xcd, 2, i + 1]);
      await esme.submit({ destination_addr: to, esm_class: 0x40, data_coding: 8, short_message: Buffer.concat([udh, ucs2(chunk)]) });
    }
    const [sms] = await handset.waitForFrames('sms');
    expect(sms!['text']).toBe(text.join(''));
    handset.close();
  });

  it('takes the text from message_payload, in submit_sm and in data_sm', async () => {
    const long = 'Long payload '.repeat(40);
    const submit = await esme.submit({ destination_addr: to, data_coding: 1, message_payload: Buffer.from(long, 'ascii') });
    const data = await esme.request('data_sm', { source_addr: 'Acme', source_addr_ton: 5, destination_addr: to.slice(1), dest_addr_ton: 1, data_coding: 8, message_payload: ucs2('данные') });
    expect(submit.command_status).toBe(0);
    expect(data.command).toBe('data_sm_resp');
    expect(data.command_status).toBe(0);
    expect(String(data['message_id'])).toMatch(/^[0-9a-f]{16}$/);
    const { body } = await running.api(`/api/handsets/${encodeURIComponent(to)}/messages`);
    expect((body as { messages: { text: string }[] }).messages.map((m) => m.text)).toEqual([long, 'данные']);
  });

  it('refuses short_message and message_payload together, and a UDH that overruns the message', async () => {
    const both = await esme.submit({ destination_addr: to, short_message: Buffer.from('a'), message_payload: Buffer.from('b') });
    expect(both.command_status).toBe(CommandStatus.ESME_RINVMSGLEN);
    const badUdh = await esme.submit({ destination_addr: to, esm_class: 0x40, short_message: Buffer.from([0x09, 0x00, 0x03]) });
    expect(badUdh.command_status).toBe(CommandStatus.ESME_RINVESMCLASS);
    const noDestination = await esme.submit({ destination_addr: '', short_message: Buffer.from('x') });
    expect(noDestination.command_status).toBe(CommandStatus.ESME_RINVDSTADR);
  });

  it('keeps messages for a number with no handset connected and hands them over, once, when one connects', async () => {
    await esme.submit({ destination_addr: to, short_message: Buffer.from('while you were away') });
    const first = await TestHandset.connect(running.wsUrl(to.slice(1)), { authorization: authHeader });
    const [sms] = await first.waitForFrames('sms');
    expect(sms).toMatchObject({ type: 'sms', from: 'Acme', to, text: 'while you were away' });
    expect(String(sms!['id'])).toMatch(/^SM[0-9a-f]{32}$/);
    first.close();
    const second = await TestHandset.connect(running.wsUrl(to), { authorization: authHeader });
    await second.barrier();
    expect(second.ofType('sms')).toHaveLength(0);
    second.close();
  });
});

describe('messages from a handset (MO)', () => {
  it('sends a WebSocket sms.send to the bound ESME as deliver_sm with esm_class 0', async () => {
    const handset = await TestHandset.connect(running.wsUrl(to), { authorization: authHeader });
    handset.send({ type: 'sms.send', to: '12345', text: 'STOP' });
    const [ack] = await handset.waitForFrames('sms.sent');
    expect(ack).toMatchObject({ to: '+12345' });
    const [mo] = await esme.waitForDeliveries(1);
    expect(mo!['esm_class']).toBe(0);
    expect(mo!['source_addr']).toBe(to.slice(1));
    expect(mo!['destination_addr']).toBe('12345');
    expect((mo!['short_message'] as Buffer).toString('latin1')).toBe('STOP');
    handset.close();
  });

  it('injects an MO through the API, queues it with no receiver bound, and sends it on bind', async () => {
    esme.close();
    const response = await running.api(`/api/handsets/${encodeURIComponent(to)}/sms`, { method: 'POST', body: { to: '777', text: 'Привет' } });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ direction: 'mo', status: 'queued', from: to, to: '+777' });
    esme = await TestEsme.connect(running.smppPort);
    await esme.bind('receiver');
    const [mo] = await esme.waitForDeliveries(1);
    expect(mo!['data_coding']).toBe(8);
    expect((mo!['short_message'] as Buffer).swap16().toString('utf16le')).toBe('Привет');
  });
});
