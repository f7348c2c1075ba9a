import { afterEach, describe, expect, it } from 'vitest';
import { parseSmppUrl, SmppClient, SmppLinkDownError, type MessagePdu } from '../../../../gateway/smpp';
import { SmppSmsSender } from '../../../../gateway/sms/smpp-sms-sender';
import { readReceipt } from '../../../../gateway/sms/receipt-reader';
import { startSimulator, authHeader, type RunningSimulator } from '../../../support/simulator-harness';
import { TestHandset } from '../../../support/handset';
import { waitFor } from '../../../support/wait-for';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function simulator(port = 0): Promise<RunningSimulator> {
  const running = await startSimulator({ smppPort: port });
  cleanups.push(() => running.stop().catch(() => undefined));
  return running;
}

function client(port: number, query = '', onDeliver: (pdu: MessagePdu) => number = () => 0): SmppClient {
  const c = new SmppClient({
    endpoint: parseSmppUrl(`smpp://verigate:verigate@127.0.0.1:${port}${query}`),
    onDeliver,
    reconnect: { initialMs: 50, maxMs: 200, jitter: 0 },
    enquireLinkIntervalMs: 200,
    responseTimeoutMs: 1_000,
  });
  cleanups.push(() => c.stop());
  return c;
}

describe('SMPP client (ESME)', () => {
  it('binds a transceiver, sends GSM and UCS-2 texts split into parts, and reads a receipt for each part', async () => {
    const running = await simulator();
    const receipts: string[] = [];
    const esme = client(running.smppPort, '', (pdu) => {
      const receipt = readReceipt(pdu);
      if (receipt) receipts.push(receipt.messageId);
      return 0;
    });
    esme.start();
    await esme.waitUntilBound();
    const handset = await TestHandset.connect(running.wsUrl('+4915300000001'), { authorization: authHeader });
    cleanups.push(() => handset.close());
    const sender = new SmppSmsSender(esme, parseSmppUrl('smpp://x:y@h'));
    const gsm = 'Your code: 123456 {€} '.repeat(10);
    const ucs2 = 'Ваш код: 654321. '.repeat(5);
    const sent = [await sender.send({ from: 'Verigate', to: '+4915300000001', text: gsm }), await sender.send({ from: 'Verigate', to: '+4915300000001', text: ucs2 })];
    expect(sent.map((s) => s.dataCoding)).toEqual([0, 8]);
    expect(sent.map((s) => s.messageIds.length)).toEqual([2, 2]);
    const frames = await handset.waitForFrames('sms', 2);
    expect(frames.map((f) => f['text'])).toEqual([gsm, ucs2]);
    expect(frames[0]!['from']).toBe('Verigate');
    await waitFor('4 receipts', () => receipts.length === 4);
    expect(receipts.sort()).toEqual(sent.flatMap((s) => s.messageIds).sort());
  });

  it('sends a long text whole in message_payload when configured to', async () => {
    const running = await simulator();
    const esme = client(running.smppPort);
    esme.start();
    await esme.waitUntilBound();
    const sender = new SmppSmsSender(esme, parseSmppUrl('smpp://x:y@h?segmentation=payload'));
    const sent = await sender.send({ from: '+4930123', to: '+4915300000002', text: 'x'.repeat(400) });
    expect(sent.messageIds).toHaveLength(1);
    const { body } = await running.api('/api/messages?to=%2B4915300000002');
    expect((body as { messages: { text: string; from: string }[] }).messages[0]).toMatchObject({ text: 'x'.repeat(400), from: '+4930123' });
  });

  it('binds as a transmitter and a receiver when asked (tx-rx)', async () => {
    const running = await simulator();
    const esme = client(running.smppPort, '?mode=tx-rx');
    esme.start();
    await esme.waitUntilBound();
    const { body } = await running.api('/api/smpp/binds');
    expect((body as { binds: { mode: string }[] }).binds.map((b) => b.mode).sort()).toEqual(['receiver', 'transmitter']);
  });

  it('keeps at most `window` submits outstanding', async () => {
    const running = await simulator();
    const esme = client(running.smppPort, '?window=3');
    esme.start();
    await esme.waitUntilBound();
    let peak = 0;
    const sends = Array.from({ length: 20 }, (_, i) => {
      const p = esme.submit({ destination_addr: '4915300000003', short_message: Buffer.from(`m${i}`) });
      peak = Math.max(peak, esme.windowInUse);
      return p;
    });
    const responses = await Promise.all(sends);
    expect(peak).toBe(3);
    expect(responses.every((r) => r.command_status === 0)).toBe(true);
    expect(esme.windowInUse).toBe(0);
  });

  it('refuses submits while down, and rebinds by itself when the SMSC comes back', async () => {
    const first = await simulator();
    const port = first.smppPort;
    const esme = client(port);
    const states: string[] = [];
    esme.on('state', (s) => states.push(s));
    esme.start();
    await esme.waitUntilBound();
    await first.stop();
    await waitFor('the link to go down', () => esme.state !== 'bound');
    await expect(esme.submit({ destination_addr: '1', short_message: Buffer.from('x') })).rejects.toBeInstanceOf(SmppLinkDownError);
    const second = await simulator(port);
    await esme.waitUntilBound(5_000);
    expect((await esme.submit({ destination_addr: '4915300000004', short_message: Buffer.from('back') })).command_status).toBe(0);
    expect(states.filter((s) => s === 'bound').length).toBeGreaterThanOrEqual(2);
    void second;
  });

  it('keeps retrying a refused bind and reports why', async () => {
    const running = await simulator();
    const esme = new SmppClient({
      endpoint: parseSmppUrl(`smpp://verigate:wrong@127.0.0.1:${running.smppPort}`),
      onDeliver: () => 0,
      reconnect: { initialMs: 20, maxMs: 50, jitter: 0 },
    });
    cleanups.push(() => esme.stop());
    esme.start();
    await expect(esme.waitUntilBound(300)).rejects.toThrow(/ESME_RINVPASWD/);
  });
});
