// Issue 10 (simulator): schedule_delivery_time is honoured. A scheduled message is held and reaches the handset
// at its time (absolute or relative SMPP time), with its receipt; one whose validity ends while it is held
// expires then (EXPIRED receipt) and never arrives. Time is the simulator's injected clock.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandStatus } from '../../../../gateway/smpp';
import { decodeGsm7 } from '../../../../gateway/text';
import { authHeader, startSimulator, type RunningSimulator } from '../../../support/simulator-harness';
import { TestEsme, type EsmePdu } from '../../../support/esme';
import { TestHandset } from '../../../support/handset';
import { ManualClock } from '../../../support/manual-clock';

const to = '4915200000777';
let clock: ManualClock;
let running: RunningSimulator;
let esme: TestEsme;
let handset: TestHandset;
// Hours pass on the clock without a PDU: the SMSC's inactivity timer must not end the test's session.
const smsc = { inactivityTimeoutMs: 86_400_000 };

beforeEach(async () => {
  clock = new ManualClock(Date.parse('2026-11-23T10:00:00Z'));
  running = await startSimulator({ clock, smsc });
  esme = await TestEsme.connect(running.smppPort);
  await esme.bind('transceiver');
  handset = await TestHandset.connect(running.wsUrl(`+${to}`), { authorization: authHeader });
});

const files: string[] = [];
afterEach(async () => {
  handset.close();
  esme.close();
  await running.stop();
  for (const file of files.splice(0)) for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
});

const submit = (text: string, fields: Record<string, unknown>) =>
  esme.submit({ destination_addr: to, registered_delivery: 1, short_message: Buffer.from(text), ...fields });

/** Everything the SMSC and the handset socket sent before this has arrived (each answers in order). */
async function barrier(): Promise<void> {
  await esme.request('enquire_link');
  await handset.barrier();
}

async function status(text: string): Promise<string | undefined> {
  const { body } = await running.api(`/api/messages?to=%2B${to}`);
  return (body as { messages: { text: string; status: string }[] }).messages.find((m) => m.text === text)?.status;
}

const stat = (receipt: EsmePdu) => /stat:(\w+)/.exec(decodeGsm7(receipt['short_message'] as Buffer))?.[1];

describe('schedule_delivery_time', () => {
  it('holds a message scheduled 5 minutes ahead (relative time) and delivers it then, with its receipt', async () => {
    const response = await submit('code 1111', { schedule_delivery_time: '000000000500000R' });
    expect(response.command_status).toBe(CommandStatus.ESME_ROK);
    clock.advance(299_999);
    await barrier();
    expect(handset.ofType('sms')).toEqual([]);
    expect(esme.receipts()).toEqual([]);
    expect(await status('code 1111')).toBe('scheduled');

    clock.advance(1);
    const [sms] = await handset.waitForFrames('sms');
    expect(sms).toMatchObject({ text: 'code 1111', to: `+${to}` });
    const [receipt] = await esme.waitForDeliveries(1, (d) => d['esm_class'] === 0x04);
    expect(receipt!['receipted_message_id']).toBe(response['message_id']);
    expect(stat(receipt!)).toBe('DELIVRD');
    expect(await status('code 1111')).toBe('delivered');
  });

  it('reads an absolute time in a UTC offset: 11:30 at +01:00 is 10:30 UTC', async () => {
    expect((await submit('code 2222', { schedule_delivery_time: '261123113000004+' })).command_status).toBe(CommandStatus.ESME_ROK);
    clock.advance(30 * 60_000 - 1);
    await barrier();
    expect(handset.ofType('sms')).toEqual([]);
    clock.advance(1);
    expect((await handset.waitForFrames('sms'))[0]).toMatchObject({ text: 'code 2222' });
  });

  it('goes out at once when its time has already passed', async () => {
    expect((await submit('code 3333', { schedule_delivery_time: '200101000000000+' })).command_status).toBe(CommandStatus.ESME_ROK);
    expect((await handset.waitForFrames('sms'))[0]).toMatchObject({ text: 'code 3333' });
  });

  it('expires a message whose validity ends while it is held: EXPIRED receipt then, never on the handset', async () => {
    const response = await submit('code 4444', { schedule_delivery_time: '000000001000000R', validity_period: '000000000500000R' });
    expect(response.command_status).toBe(CommandStatus.ESME_ROK);
    clock.advance(5 * 60_000);
    const [receipt] = await esme.waitForDeliveries(1, (d) => d['esm_class'] === 0x04);
    expect(stat(receipt!)).toBe('EXPIRED');
    expect(receipt!['message_state']).toBe(3);
    expect(await status('code 4444')).toBe('expired');
    clock.advance(10 * 60_000); // past the schedule
    await barrier();
    expect(handset.ofType('sms')).toEqual([]);
  });

  it('holds a scheduled message across a restart of the simulator on the same file', async () => {
    handset.close();
    esme.close();
    await running.stop();
    const file = join(tmpdir(), `verigate-scheduled-${process.pid}-${Date.now()}.db`);
    files.push(file);
    running = await startSimulator({ clock, smsc, dataFile: file });
    esme = await TestEsme.connect(running.smppPort);
    await esme.bind('transceiver');
    expect((await submit('code 5555', { schedule_delivery_time: '000000000100000R' })).command_status).toBe(CommandStatus.ESME_ROK);
    esme.close();
    await running.stop();

    running = await startSimulator({ clock, smsc, dataFile: file });
    handset = await TestHandset.connect(running.wsUrl(`+${to}`), { authorization: authHeader });
    esme = await TestEsme.connect(running.smppPort);
    await esme.bind('transceiver');
    await barrier();
    expect(handset.ofType('sms')).toEqual([]);
    clock.advance(60_000);
    expect((await handset.waitForFrames('sms'))[0]).toMatchObject({ text: 'code 5555' });
    expect(stat((await esme.waitForDeliveries(1, (d) => d['esm_class'] === 0x04))[0]!)).toBe('DELIVRD');
  });
});
