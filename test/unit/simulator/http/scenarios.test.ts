import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandStatus } from '../../../../gateway/smpp';
import { startSimulator, type RunningSimulator } from '../../../support/simulator-harness';
import { TestEsme } from '../../../support/esme';

let running: RunningSimulator;
let esme: TestEsme;

beforeEach(async () => {
  running = await startSimulator({ network: { receiptDelayMs: 0 } });
  esme = await TestEsme.connect(running.smppPort);
  await esme.bind('transceiver');
});

afterEach(async () => {
  esme.close();
  await running.stop();
});

const stat = async (to: string) => {
  const before = esme.receipts().length;
  await esme.submit({ destination_addr: to, registered_delivery: 1, short_message: Buffer.from('x') });
  const receipts = await esme.waitForDeliveries(before + 1, (d) => ((d['esm_class'] as number) & 0x3c) === 0x04);
  return /stat:(\w+) err:(\d+)/.exec((receipts.at(-1)!['short_message'] as Buffer).toString('latin1'))!.slice(1).join(' ');
};

describe('named scenarios', () => {
  it('lists the scenarios with what each does', async () => {
    const { body } = await running.api('/api/scenarios');
    expect(Object.keys((body as { scenarios: object }).scenarios)).toEqual(['happy', 'auto-answer', 'congested', 'slow-receipts', 'phones-off', 'outage']);
  });

  it('switches every number without its own behaviour, keeps per-number ones, and goes back with happy', async () => {
    await running.api('/api/behaviours/4915300009999', { method: 'PUT', body: { sms: 'deliver' } });
    expect((await running.api('/api/scenarios/phones-off', { method: 'POST' })).status).toBe(200);
    expect(await stat('4915300000001')).toBe('UNDELIV 027');
    expect(await stat('4915300009999')).toBe('DELIVRD 000');
    await running.api('/api/scenarios/outage', { method: 'POST' });
    expect(await stat('4915300000001')).toBe('UNDELIV 001');
    await running.api('/api/scenarios/happy', { method: 'POST' });
    expect(await stat('4915300000001')).toBe('DELIVRD 000');
  });

  it('congests the SMSC and restores the starting settings afterwards', async () => {
    await running.api('/api/scenarios/congested', { method: 'POST' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await esme.submit({ destination_addr: '4915300000002', short_message: Buffer.from('x') })).command_status);
    expect(statuses.filter((s) => s === CommandStatus.ESME_RTHROTTLED).length).toBeGreaterThanOrEqual(1);
    const { body } = await running.api('/api/scenarios/happy', { method: 'POST' });
    expect((body as { settings: object }).settings).toEqual({ receiptDelayMs: 0, maxSubmitsPerSecond: 0 });
  });

  it('answers an unknown scenario with 404 naming the known ones', async () => {
    const { status, body } = await running.api('/api/scenarios/apocalypse', { method: 'POST' });
    expect(status).toBe(404);
    expect((body as { message: string }).message).toContain('outage');
  });
});
