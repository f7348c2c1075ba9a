import net from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../../support/simulator-harness';
import { TestHandset } from '../../../support/handset';
import { authHeader } from '../../../support/simulator-harness';
import { waitFor } from '../../../support/wait-for';

interface FixturePdu { kind: string; hex: string; text?: string; reassembled_text_with_next_part?: string }
const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../fixtures/kannel-1.4.5-pdus.json', import.meta.url)), 'utf8'),
) as { pdus: FixturePdu[] };
const bytes = (p: FixturePdu) => Buffer.from(p.hex, 'hex');

let running: RunningSimulator;

beforeAll(async () => {
  // The capture's Kannel bound as system_id "kannel" with password "secret".
  running = await startSimulator({ smppSystemId: 'kannel', smppPassword: 'secret' });
});

afterAll(async () => {
  await running.stop();
});

describe('SMSC fed the PDUs Kannel 1.4.5 sent on the wire', () => {
  it('binds, acknowledges every submit_sm with its own id, delivers each text once, and sends the receipt asked for', async () => {
    const handset = await TestHandset.connect(running.wsUrl('+4915759346123'), { authorization: authHeader });
    const responses: { commandId: number; status: number; sequence: number; messageId: string }[] = [];
    const deliverSms: { esmClass: number; text: string; sequence: number }[] = [];
    const socket = net.connect(running.smppPort, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 16 && buffer.length >= buffer.readUInt32BE(0)) {
        const pdu = buffer.subarray(0, buffer.readUInt32BE(0));
        buffer = buffer.subarray(pdu.length);
        const commandId = pdu.readUInt32BE(4);
        if (commandId === 0x00000005) {
          // deliver_sm: answer it as Kannel would, and keep its text.
          const body = pdu.subarray(16);
          let at = body.indexOf(0) + 1 + 2; // service_type, source ton/npi
          at = body.indexOf(0, at) + 1 + 2; // source_addr, dest ton/npi
          at = body.indexOf(0, at) + 1; // destination_addr
          const esmClass = body[at]!;
          at += 3; // esm_class, protocol_id, priority_flag
          at = body.indexOf(0, at) + 1; // schedule_delivery_time
          at = body.indexOf(0, at) + 1 + 4; // validity_period, registered_delivery, replace, data_coding, default_msg_id
          const smLength = body[at]!;
          deliverSms.push({ esmClass, text: body.subarray(at + 1, at + 1 + smLength).toString('latin1'), sequence: pdu.readUInt32BE(12) });
          const resp = Buffer.alloc(17);
          resp.writeUInt32BE(17, 0);
          resp.writeUInt32BE(0x80000005, 4);
          resp.writeUInt32BE(pdu.readUInt32BE(12), 12);
          socket.write(resp);
          continue;
        }
        responses.push({
          commandId,
          status: pdu.readUInt32BE(8),
          sequence: pdu.readUInt32BE(12),
          messageId: pdu.subarray(16, pdu.indexOf(0, 16)).toString('ascii'),
        });
      }
    });
    await new Promise((resolve) => socket.once('connect', resolve));
    const unbind = fixture.pdus.at(-1)!;
    for (const p of fixture.pdus.slice(0, -1)) socket.write(bytes(p));
    // Four submits asked for a receipt (registered_delivery 1); the second long part did not.
    const receipts = await waitFor('4 receipts', () => (deliverSms.length >= 4 ? deliverSms : undefined));
    expect(receipts.every((r) => r.esmClass === 0x04 && /^id:\S+ sub:001 dlvrd:001 .*stat:DELIVRD err:000 text:/.test(r.text))).toBe(true);
    socket.write(bytes(unbind));

    await waitFor('a response to every PDU', () => responses.length >= fixture.pdus.length);
    expect(responses.map((r) => r.status)).toEqual(fixture.pdus.map(() => 0));
    expect(responses[0]).toMatchObject({ commandId: 0x80000009, messageId: 'verigate' });
    const submitResponses = responses.filter((r) => r.commandId === 0x80000004);
    expect(submitResponses).toHaveLength(5);
    expect(new Set(submitResponses.map((r) => r.messageId)).size).toBe(5);
    expect(responses.at(-1)?.commandId).toBe(0x80000006); // unbind_resp
    const receiptIds = receipts.map((r) => /^id:(\S+)/.exec(r.text)?.[1]).sort();
    const askedIds = [0, 1, 2, 4].map((i) => submitResponses[i]!.messageId).sort();
    expect(receiptIds).toEqual(askedIds);

    const [gsm, ucs2, part1, , latin] = fixture.pdus.filter((p) => p.kind.startsWith('submit_sm'));
    const texts = (await handset.waitForFrames('sms', 4)).map((f) => f['text']);
    expect(texts).toEqual([gsm!.text, ucs2!.text, part1!.reassembled_text_with_next_part, latin!.text]);
    const sms = handset.ofType('sms');
    expect(sms.every((f) => f['from'] === 'Acme' && f['to'] === '+4915759346123')).toBe(true);
    handset.close();
    socket.destroy();
  });

  it('lists what it acknowledged through the control API', async () => {
    const response = await fetch(`${running.baseUrl}/api/messages?to=4915759346123`, { headers: { authorization: authHeader } });
    const { messages } = (await response.json()) as { messages: { text: string; parts: number; dataCoding: number }[] };
    expect(messages.map((m) => m.parts)).toEqual([1, 1, 2, 1]);
    expect(messages[1]).toMatchObject({ text: 'Ваш код: 654321', dataCoding: 8 });
  });
});
