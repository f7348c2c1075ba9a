// Issue 10 (simulator): a concatenated message is decoded from its parts' bytes joined, not part by part,
// and data_coding 6 and 7 are read as ISO-8859-5 and ISO-8859-8.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandStatus } from '../../../../gateway/smpp';
import { startSimulator, authHeader, type RunningSimulator } from '../../../support/simulator-harness';
import { TestEsme } from '../../../support/esme';
import { TestHandset } from '../../../support/handset';

let running: RunningSimulator;
let esme: TestEsme;
let handset: TestHandset;
const to = '+4915200000077';

beforeEach(async () => {
  running = await startSimulator();
  esme = await TestEsme.connect(running.smppPort);
  await esme.bind('transceiver');
  handset = await TestHandset.connect(running.wsUrl(to), { authorization: authHeader });
});

afterEach(async () => {
  handset.close();
  esme.close();
  await running.stop();
});

/** Submits `bytes` cut at `cuts` (octet offsets) as UDH-concatenated parts, as Kannel cuts by octets. */
async function submitCut(bytes: Buffer, cuts: number[], dataCoding: number, ref: number): Promise<void> {
  const bounds = [0, ...cuts, bytes.length];
  const total = bounds.length - 1;
  for (let seq = 1; seq <= total; seq++) {
    const udh = Buffer.from([0x05, 0x00, 0x03, ref, total, seq]);
    const response = await esme.submit({
      destination_addr: to.slice(1),
      esm_class: 0x40,
      data_coding: dataCoding,
      short_message: Buffer.concat([udh, bytes.subarray(bounds[seq - 1], bounds[seq])]),
    });
    expect(response.command_status).toBe(CommandStatus.ESME_ROK);
  }
}

async function storedText(): Promise<string> {
  const { body } = await running.api(`/api/messages?to=${encodeURIComponent(to)}`);
  return (body as { messages: { text: string }[] }).messages.at(-1)!.text;
}

describe('reassembly from bytes', () => {
  it('keeps an emoji whose UCS-2 surrogate pair is split between two parts (134-octet parts, as Kannel sends)', async () => {
    const text = `${'A'.repeat(66)}😀 your code is 123456`;
    const bytes = Buffer.from(text, 'utf16le').swap16();
    expect(bytes.readUInt16BE(132)).toBe(0xd83d); // the high surrogate ends the first part
    await submitCut(bytes, [134], 8, 0x31);
    const [sms] = await handset.waitForFrames('sms', 1);
    expect(sms!['text']).toBe(text);
    expect(await storedText()).toBe(text);
  });

  it('keeps a GSM 03.38 extension character whose escape ends one part', async () => {
    // "Price: 5€": € is 0x1B 0x65; the escape closes the first part.
    const bytes = Buffer.concat([Buffer.from('Price: 5', 'latin1'), Buffer.from([0x1b]), Buffer.from([0x65]), Buffer.from(' only', 'latin1')]);
    await submitCut(bytes, [9], 0, 0x32);
    const [sms] = await handset.waitForFrames('sms', 1);
    expect(sms!['text']).toBe('Price: 5€ only');
  });
});

describe('single-byte character sets', () => {
  it.each([
    [6, 'iso-8859-5', 'Ваш код: 4711', Buffer.from([0xb2, 0xd0, 0xe8, 0x20, 0xda, 0xde, 0xd4, 0x3a, 0x20, 0x34, 0x37, 0x31, 0x31])],
    [7, 'iso-8859-8', 'קוד 4711', Buffer.from([0xf7, 0xe5, 0xe3, 0x20, 0x34, 0x37, 0x31, 0x31])],
  ])('decodes data_coding %i as %s', async (dataCoding, _charset, text, bytes) => {
    const response = await esme.submit({ destination_addr: to.slice(1), data_coding: dataCoding, short_message: bytes });
    expect(response.command_status).toBe(CommandStatus.ESME_ROK);
    const [sms] = await handset.waitForFrames('sms', 1);
    expect(sms!['text']).toBe(text);
  });
});
