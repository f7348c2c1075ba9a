// The gateway's SMPP link through real sockets against the hostile SMSC: status classes, validity,
// recovery after an outage, and the deliver_sm that are not messages from a phone.
import { afterEach, describe, expect, it } from 'vitest';
import { Gateway } from '../../../../gateway/gateway';
import { CommandStatus, parseSmppUrl } from '../../../../gateway/smpp';
import { STATUS_CLASSES } from '../../../../gateway/sms/send-errors';
import { openSqliteOutbox } from '../../../../gateway/outbox';
import { HostileSmsc } from '../../../support/hostile-smsc';
import { waitFor } from '../../../support/wait-for';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(backoffMs = 20) {
  const smsc = await HostileSmsc.start();
  cleanups.push(() => smsc.close());
  const store = openSqliteOutbox(':memory:');
  cleanups.push(store.close);
  const gateway = new Gateway({
    outbox: store.outbox,
    smpp: parseSmppUrl(`smpp://verigate:verigate@127.0.0.1:${smsc.port}`),
    dispatcher: { pollMs: 20, backoff: { initialMs: backoffMs, maxMs: backoffMs, jitter: 0 } },
    smppClient: { reconnect: { initialMs: 20, maxMs: 100, jitter: 0 } },
  });
  cleanups.push(() => gateway.stop());
  const mo: { from: string; to: string; text: string }[] = [];
  gateway.on('mo', (message) => mo.push(message));
  gateway.start();
  await smsc.waitForBound();
  await gateway.smppClient!.waitUntilBound();
  const send = (to: string, expiresAt = Date.now() + 600_000) => gateway.enqueue({ kind: 'sms', payload: { from: 'Verigate', to, text: 'Your code is 123456' }, expiresAt });
  return { smsc, gateway, send, mo };
}

const settled = (gateway: Gateway, id: string) => async () => ['sent', 'failed', 'expired'].includes((await gateway.outbox.get(id))?.status ?? 'pending');

describe('gateway over a hostile SMSC', () => {
  it.each([
    ['ESME_RX_T_APPN', CommandStatus.ESME_RX_T_APPN, 'sent'],
    ['ESME_RSUBMITFAIL', CommandStatus.ESME_RSUBMITFAIL, 'sent'],
    ['ESME_RUNKNOWNERR', CommandStatus.ESME_RUNKNOWNERR, 'sent'],
    ['ESME_RMSGQFUL', CommandStatus.ESME_RMSGQFUL, 'sent'],
    ['ESME_RINVBNDSTS', CommandStatus.ESME_RINVBNDSTS, 'sent'],
    ['ESME_RX_P_APPN', CommandStatus.ESME_RX_P_APPN, 'failed'],
    ['ESME_RINVDSTADR', CommandStatus.ESME_RINVDSTADR, 'failed'],
  ])('answered %s once, the message ends %s', async (_name, status, outcome) => {
    const { smsc, gateway, send } = await setup();
    smsc.onSubmit = ({ index }) => (index === 0 ? { status } : {});
    const id = await send('+4915100000001');
    await waitFor('the message to settle', settled(gateway, id));
    expect((await gateway.outbox.get(id))!.status).toBe(outcome);
    expect(smsc.submits.map((s) => s.status)).toEqual(outcome === 'sent' ? [status, CommandStatus.ESME_ROK] : [status]);
    if (outcome === 'failed') expect((await gateway.outbox.get(id))!.smppStatus).toBe(status);
    if (status === CommandStatus.ESME_RINVBNDSTS) expect(smsc.binds).toBe(2);
  });

  it('classifies every status in its documented table', () => {
    expect(Object.fromEntries([...STATUS_CLASSES].map(([status, cls]) => [status.toString(16), cls]))).toEqual({
      '58': 'throttle', '4': 'rebind', '14': 'temporary', '8': 'temporary', '64': 'temporary', '45': 'temporary', ff: 'temporary', '65': 'permanent', '66': 'permanent',
    });
  });

  it("sets validity_period to the verification's expiry, so no SMSC delivers a dead code", async () => {
    const { smsc, gateway, send } = await setup();
    const expiresAt = Date.parse('2036-03-04T05:06:07.890Z');
    const id = await send('+4915100000002', expiresAt);
    await waitFor('sent', async () => (await gateway.outbox.get(id))?.status === 'sent');
    expect(smsc.submits[0]!.pdu['validity_period']).toBe('360304050607000+');
  });

  it('sends what waited for the link as soon as the link is back, not at each message\'s own retry time', async () => {
    // A minute between attempts: only the wake-up on rebind can send it within the test.
    const { smsc, gateway, send } = await setup(60_000);
    smsc.outage();
    await waitFor('the link down', () => gateway.smppClient!.state !== 'bound');
    const id = await send('+4915100000003');
    await waitFor('a failed attempt', async () => ((await gateway.outbox.get(id))?.attempts ?? 0) >= 1 && (await gateway.outbox.get(id))!.nextAttemptAt > Date.now() + 30_000);
    smsc.restore();
    await waitFor('sent after the rebind', async () => (await gateway.outbox.get(id))?.status === 'sent', 5_000);
    expect(smsc.submits).toHaveLength(1);
  });

  it('counts only messages from phones as MO, and keeps national and alphanumeric senders as sent', async () => {
    const { smsc, mo } = await setup();
    const from = (addr: string, ton: number, text: string, esmClass = 0) =>
      smsc.deliver({ source_addr: addr, source_addr_ton: ton, source_addr_npi: ton === 5 ? 0 : 1, destination_addr: '12345', esm_class: esmClass, short_message: Buffer.from(text) });
    expect((await from('4915112345678', 1, 'id:1 stat:ENROUTE', 0x20)).command_status).toBe(0);
    await from('4915112345678', 1, 'hello');
    await from('015112345678', 2, 'national');
    await from('BANK', 5, 'alphanumeric');
    expect(mo).toEqual([
      { from: '+4915112345678', to: '12345', text: 'hello' },
      { from: '015112345678', to: '12345', text: 'national' },
      { from: 'BANK', to: '12345', text: 'alphanumeric' },
    ]);
  });

  it('refuses to text a number that answered STOP, until it answers START', async () => {
    const { smsc, gateway, send } = await setup();
    const mo = (text: string) => smsc.deliver({ source_addr: '4915100000009', source_addr_ton: 1, source_addr_npi: 1, destination_addr: 'Verigate', short_message: Buffer.from(text) });
    await mo('stop');
    const refused = await send('+4915100000009');
    await waitFor('refused', settled(gateway, refused));
    expect((await gateway.outbox.get(refused))).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/opted out/) });
    expect(smsc.submits).toHaveLength(0);
    await mo('START');
    const allowed = await send('+4915100000009');
    await waitFor('sent', async () => (await gateway.outbox.get(allowed))?.status === 'sent');
  });
});
