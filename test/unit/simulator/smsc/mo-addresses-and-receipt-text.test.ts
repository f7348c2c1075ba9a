// Issue 10 (simulator): an MO to a short code is not sent as an international number, and the receipt's
// text is GSM 03.38 as its data_coding 0 says.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandStatus } from '../../../../gateway/smpp';
import { decodeGsm7 } from '../../../../gateway/text';
import { startSimulator, type RunningSimulator } from '../../../support/simulator-harness';
import { TestEsme } from '../../../support/esme';

let running: RunningSimulator;
let esme: TestEsme;

beforeEach(async () => {
  running = await startSimulator();
  esme = await TestEsme.connect(running.smppPort);
  await esme.bind('transceiver');
});

afterEach(async () => {
  esme.close();
  await running.stop();
});

describe('MO destination addresses', () => {
  it.each([
    ['12345', 3, 0, '12345'],
    ['+12345', 3, 0, '12345'],
    ['+4915112345678', 1, 1, '4915112345678'],
    ['BANK', 5, 0, 'BANK'],
  ])('an MO to %s goes with TON %i, NPI %i, address %s', async (to, ton, npi, address) => {
    const posted = await running.api('/api/handsets/%2B4915799990001/sms', { method: 'POST', body: { to, text: 'STOP' } });
    expect(posted.status).toBe(201);
    const [mo] = await esme.waitForDeliveries(1, (d) => d['esm_class'] === 0);
    expect(mo).toMatchObject({ dest_addr_ton: ton, dest_addr_npi: npi, destination_addr: address, source_addr_ton: 1, source_addr: '4915799990001' });
  });
});

describe('receipt text', () => {
  it.each([
    ['GSM text with @ and €', 0, Buffer.from([0x50, 0x61, 0x79, 0x20, 0x35, 0x1b, 0x65, 0x20, 0x00, 0x20, 0x73, 0x68, 0x6f, 0x70]), 'Pay 5€ @ shop'],
    ['UCS-2 text', 8, Buffer.from('Код 4711 😀', 'utf16le').swap16(), '??? 4711 ?'],
  ])('quotes %s in GSM 03.38, what GSM cannot carry as ?', async (_name, dataCoding, shortMessage, quoted) => {
    const submitted = await esme.submit({ destination_addr: '4915200000555', registered_delivery: 1, data_coding: dataCoding, short_message: shortMessage });
    expect(submitted.command_status).toBe(CommandStatus.ESME_ROK);
    const [receipt] = await esme.waitForDeliveries(1, (d) => d['esm_class'] === 0x04);
    expect(receipt!['data_coding']).toBe(0);
    const text = decodeGsm7(receipt!['short_message'] as Buffer);
    expect(text).toMatch(new RegExp(`^id:${submitted['message_id']} sub:001 dlvrd:001 .* stat:DELIVRD err:000 text:`));
    expect(text.slice(text.indexOf('text:') + 5)).toBe(quoted);
  });
});
