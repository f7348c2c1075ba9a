import { afterEach, describe, expect, it } from 'vitest';
import { TestEsme } from '../../../support/esme';
import { TestHandset } from '../../../support/handset';
import { authHeader, startSimulator, type RunningSimulator } from '../../../support/simulator-harness';

let running: RunningSimulator;
const open: { close(): void }[] = [];

afterEach(async () => {
  for (const o of open.splice(0)) o.close();
  await running.stop();
});

async function handset(number: string): Promise<TestHandset> {
  const h = await TestHandset.connect(running.wsUrl(number), { authorization: authHeader });
  open.push(h);
  return h;
}

describe('an SMS from one simulated number to another', () => {
  it('reaches the other number at once, with no ESME bound', async () => {
    running = await startSimulator();
    const alice = await handset('+491700000101');
    const bob = await handset('+491700000102');
    alice.send({ type: 'sms.send', to: '+491700000102', text: 'Hi Bob' });
    const [sms] = await bob.waitForFrames('sms');
    expect(sms).toMatchObject({ type: 'sms', from: '+491700000101', to: '+491700000102', text: 'Hi Bob' });
    const [sent] = await alice.waitForFrames('sms.sent');
    expect(sent!['id']).toBe(sms!['id']);
  });

  it('waits in the inbox of a number with no handset open, and still goes to an ESME that binds', async () => {
    running = await startSimulator();
    const alice = await handset('+491700000101');
    alice.send({ type: 'sms.send', to: '0049 1700 000103', text: 'Later, Carol' });
    await alice.waitForFrames('sms.sent');
    const carol = await handset('+491700000103');
    const [sms] = await carol.waitForFrames('sms');
    expect(sms).toMatchObject({ from: '+491700000101', text: 'Later, Carol' });

    const esme = await TestEsme.connect(running.smppPort);
    open.push(esme);
    await esme.bind('receiver');
    const [mo] = await esme.waitForDeliveries(1);
    expect(mo!['destination_addr']).toBe('491700000103');
  });
});
