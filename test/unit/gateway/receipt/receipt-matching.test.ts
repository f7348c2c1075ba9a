// Receipts matched to their message through real SMPP sockets: no guessing across bases, ids normalised
// under the link's msg_id_type, a receipted_message_id without its NUL read right, orphans expired.
import { afterEach, describe, expect, it } from 'vitest';
import { Gateway, type DeliveryReport } from '../../../../gateway/gateway';
import { parseSmppUrl } from '../../../../gateway/smpp';
import { openSqliteOutbox } from '../../../../gateway/outbox';
import { HostileSmsc, rawDeliverSm } from '../../../support/hostile-smsc';
import { ManualClock } from '../../../support/manual-clock';
import { waitFor } from '../../../support/wait-for';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(query = '', options: { clock?: ManualClock; earlyReceiptTtlMs?: number; dispatcher?: { pollMs: number } } = {}) {
  const smsc = await HostileSmsc.start();
  cleanups.push(() => smsc.close());
  const store = openSqliteOutbox(':memory:');
  cleanups.push(store.close);
  const gateway = new Gateway({
    outbox: store.outbox,
    smpp: parseSmppUrl(`smpp://verigate:verigate@127.0.0.1:${smsc.port}${query}`),
    dispatcher: { pollMs: 20, backoff: { initialMs: 20, maxMs: 100, jitter: 0 } },
    smppClient: { reconnect: { initialMs: 20, maxMs: 100, jitter: 0 } },
    ...options,
  });
  cleanups.push(() => gateway.stop());
  const reports: DeliveryReport[] = [];
  gateway.on('delivery', (report) => reports.push(report));
  gateway.start();
  await smsc.waitForBound();
  const send = (to: string) => gateway.enqueue({ kind: 'sms', payload: { from: 'Verigate', to, text: 'Your code is 123456' }, expiresAt: Date.now() + 600_000 });
  return { smsc, gateway, reports, send };
}

const receipt = (id: string, stat: string) => ({
  source_addr: '4915112345678', destination_addr: 'Verigate', esm_class: 0x04,
  short_message: Buffer.from(`id:${id} sub:001 dlvrd:001 submit date:2611231000 done date:2611231000 stat:${stat} err:000 text:Your code`),
});

describe('receipt matching', () => {
  it("never puts a receipt on another message by reading its id in another base; an early receipt waits for its own", async () => {
    const { smsc, gateway, reports, send } = await setup('?msg_id_type=0');
    let answerB!: () => void;
    smsc.onSubmit = ({ index }) => (index === 0 ? { messageId: '1234' } : { messageId: '4660', after: new Promise<void>((r) => { answerB = r; }) });
    const a = await send('+4915100000001');
    await waitFor('A sent', async () => (await gateway.outbox.get(a))?.status === 'sent');
    const b = await send('+4915100000002');
    await smsc.waitForSubmits(2);
    // 4660 is 0x1234: the failure receipt for B arrives before B's submit_sm_resp.
    expect((await smsc.deliver(receipt('4660', 'UNDELIV'))).command_status).toBe(0);
    expect(reports).toEqual([]);
    answerB();
    await waitFor('B sent', async () => (await gateway.outbox.get(b))?.status === 'sent');
    await waitFor("B's receipt", () => reports.length === 1);
    expect(reports).toMatchObject([{ outboxId: b, outcome: 'undelivered' }]);
    expect(await gateway.outbox.earlyReceiptCount()).toBe(0);
  });

  it.each([
    ['zero padding', '', '12345', '0000012345'],
    ['upper and lower case', '', 'abcdef0123', 'ABCDEF0123'],
    ['a zero-padded hex id against its decimal form (msg_id_type 1)', '?msg_id_type=1', '00003039', '12345'],
    ['a decimal id against its zero-padded hex form (msg_id_type 2)', '?msg_id_type=2', '12345', '0000003039'],
  ])('matches across %s', async (_name, query, answered, inReceipt) => {
    const { smsc, gateway, reports, send } = await setup(query);
    smsc.onSubmit = () => ({ messageId: answered });
    const id = await send('+4915100000003');
    await waitFor('sent', async () => (await gateway.outbox.get(id))?.status === 'sent');
    await smsc.deliver(receipt(inReceipt, 'DELIVRD'));
    expect(reports).toMatchObject([{ outboxId: id, outcome: 'delivered' }]);
  });

  it('reads a receipted_message_id sent without its NUL within its length, not into the TLV after it', async () => {
    const { smsc, gateway, reports, send } = await setup();
    smsc.onSubmit = () => ({ messageId: '777' });
    const id = await send('+4915100000004');
    await waitFor('sent', async () => (await gateway.outbox.get(id))?.status === 'sent');
    const response = await smsc.writeRaw(rawDeliverSm(90, {
      // The text names another id: the TLV, read right, wins.
      text: 'id:999 stat:UNDELIV err:001',
      tlvs: [{ tag: 0x001e, value: Buffer.from('777') }, { tag: 0x0427, value: Buffer.from([2]) }],
    }), 90);
    expect(response.command_status).toBe(0);
    expect(reports).toMatchObject([{ outboxId: id, outcome: 'delivered', stat: 'DELIVRD' }]);
  });

  it('expires receipts that never meet their message', async () => {
    const clock = new ManualClock(Date.now());
    // Polling every minute: the manual clock runs every due timer on its way.
    const { smsc, gateway } = await setup('', { clock, earlyReceiptTtlMs: 600_000, dispatcher: { pollMs: 60_000 } });
    // A minute at a time, letting each pass finish (and re-arm) before the clock moves on.
    const minutes = async (n: number) => {
      for (let i = 0; i < n; i++) {
        clock.advance(60_000);
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await smsc.deliver(receipt('5555', 'DELIVRD'));
    expect(await gateway.outbox.earlyReceiptCount()).toBe(1);
    await minutes(9);
    expect(await gateway.outbox.earlyReceiptCount()).toBe(1);
    await minutes(2);
    expect(await gateway.outbox.earlyReceiptCount()).toBe(0);
  });
});
