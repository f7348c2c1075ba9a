// Issue 10 (simulator): validity_period and schedule_delivery_time are read; bad formats are refused
// (ESME_RINVEXPIRY, ESME_RINVSCHED) and a message whose validity has run out expires with an EXPIRED receipt.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandStatus } from '../../../../gateway/smpp';
import { decodeGsm7 } from '../../../../gateway/text';
import { startSimulator, type RunningSimulator } from '../../../support/simulator-harness';
import { TestEsme } from '../../../support/esme';

let running: RunningSimulator;
let esme: TestEsme;
const to = '4915200000999';

beforeEach(async () => {
  running = await startSimulator();
  esme = await TestEsme.connect(running.smppPort);
  await esme.bind('transceiver');
});

afterEach(async () => {
  esme.close();
  await running.stop();
});

const submit = (fields: Record<string, unknown>) => esme.submit({ destination_addr: to, registered_delivery: 1, short_message: Buffer.from('code 4711'), ...fields });

describe('validity_period and schedule_delivery_time', () => {
  it.each([
    ['validity_period', 'tomorrow', CommandStatus.ESME_RINVEXPIRY],
    ['validity_period', '261323000000000+', CommandStatus.ESME_RINVEXPIRY],
    ['schedule_delivery_time', '2611231000', CommandStatus.ESME_RINVSCHED],
    ['schedule_delivery_time', '261131100000000+', CommandStatus.ESME_RINVSCHED],
  ])('refuses %s "%s" with its status', async (field, value, status) => {
    expect((await submit({ [field]: value })).command_status).toBe(status);
  });

  it('expires a message whose validity has already run out: EXPIRED receipt, nothing reaches the handset', async () => {
    const response = await submit({ validity_period: '200101000000000+' });
    expect(response.command_status).toBe(CommandStatus.ESME_ROK);
    const [receipt] = await esme.waitForDeliveries(1, (d) => d['esm_class'] === 0x04);
    expect(decodeGsm7(receipt!['short_message'] as Buffer)).toContain('stat:EXPIRED');
    expect(receipt!['message_state']).toBe(3);
    const { body } = await running.api(`/api/messages?to=%2B${to}`);
    expect((body as { messages: { status: string }[] }).messages.map((m) => m.status)).toEqual(['expired']);
  });

  it('delivers a message valid for a day (relative time) and one valid until a time in a UTC offset', async () => {
    const relative = await submit({ validity_period: '000001000000000R' });
    const absolute = await submit({ validity_period: '991231235959948+' });
    expect([relative.command_status, absolute.command_status]).toEqual([CommandStatus.ESME_ROK, CommandStatus.ESME_ROK]);
    const receipts = await esme.waitForDeliveries(2, (d) => d['esm_class'] === 0x04);
    expect(receipts.every((r) => decodeGsm7(r['short_message'] as Buffer).includes('stat:DELIVRD'))).toBe(true);
  });
});
