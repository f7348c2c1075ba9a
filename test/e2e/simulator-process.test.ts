// The simulator as a user runs it: a real `verigate simulator` process, an ESME on the stock
// `smpp` package (its own GSM and UCS-2 encoders, untouched by ours), and a handset on the WebSocket.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestEsme } from '../support/esme';
import { TestHandset } from '../support/handset';
import { runCli, startSimulatorProcess, type CliProcess } from '../support/cli-process';
import { waitFor } from '../support/wait-for';

const sid = 'AC' + 'cd'.repeat(16);
const token = 'e2e-token-0123456789';
const env = { VERIGATE_ACCOUNT_SID: sid, VERIGATE_AUTH_TOKEN: token };
const auth = { authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}` };
const dir = mkdtempSync(join(tmpdir(), 'verigate-e2e-'));
const processes: CliProcess[] = [];

afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill('SIGKILL')));
  rmSync(dir, { recursive: true, force: true });
});

async function listMessages(httpPort: number): Promise<{ id: string; text: string }[]> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/api/messages`, { headers: auth });
  return ((await response.json()) as { messages: { id: string; text: string }[] }).messages;
}

describe('verigate simulator, as a process', () => {
  it('delivers GSM-7, UCS-2 and a 300-character concatenated text from a stock smpp ESME, each once, with a receipt per part', async () => {
    const sim = await startSimulatorProcess(['--receipt-delay', '0'], env);
    processes.push(sim);
    const handset = await TestHandset.connect(`ws://127.0.0.1:${sim.httpPort}/ws/handsets/+4915759346123`, auth);
    const esme = await TestEsme.connect(sim.smppPort);
    expect((await esme.bind('transceiver')).command_status).toBe(0);

    const gsm = 'Code 123456 @ 5€ [ok] {x} ~|^\\';
    const cyrillic = 'Ваш код: 654321';
    const long = Array.from({ length: 300 }, (_, i) => 'abcdefghijklmnopqrstuvwxyz0123456789'[i % 36]).join('');
    const ids: string[] = [];
    const submit = async (fields: Record<string, unknown>) => {
      const resp = await esme.submit({ destination_addr: '4915759346123', registered_delivery: 1, ...fields });
      expect(resp.command_status).toBe(0);
      ids.push(String(resp['message_id']));
    };
    await submit({ data_coding: 0, short_message: gsm });
    await submit({ data_coding: 8, short_message: cyrillic });
    const chunks = [long.slice(0, 153), long.slice(153)];
    for (const [i, chunk] of chunks.entries()) {
      await submit({ data_coding: 0, short_message: { udh: Buffer.from([0x05, 0x00, 0x03, 0x42, 2, i + 1]), message: chunk } });
    }

    const sms = await handset.waitForFrames('sms', 3);
    expect(sms.map((f) => f['text'])).toEqual([gsm, cyrillic, long]);
    const receipts = await esme.waitForDeliveries(4, (d) => d['esm_class'] === 0x04);
    expect(receipts.map((r) => r['receipted_message_id']).sort()).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(4);
    await handset.barrier();
    expect(handset.ofType('sms')).toHaveLength(3);
    esme.close();
    handset.close();
    await sim.kill();
  });

  it('lists every acknowledged message after being killed with SIGKILL and restarted on the same --data file', async () => {
    const data = join(dir, 'sim.db');
    const first = await startSimulatorProcess(['--data', data, '--receipt-delay', '60000'], env);
    processes.push(first);
    const esme = await TestEsme.connect(first.smppPort);
    await esme.bind('transmitter');
    const acknowledged: string[] = [];
    for (let i = 0; i < 50; i++) {
      const resp = await esme.submit({ destination_addr: '4915700000000', data_coding: 0, short_message: `message ${i}` });
      if (resp.command_status === 0) acknowledged.push(`message ${i}`);
    }
    expect(acknowledged).toHaveLength(50);
    await first.kill('SIGKILL');
    esme.close();

    const second = await startSimulatorProcess(['--data', data, '--receipt-delay', '0'], env);
    processes.push(second);
    expect((await listMessages(second.httpPort)).map((m) => m.text)).toEqual(acknowledged);
    await second.kill();
  });

  it('sends, after a restart, the receipts a crash left unsent', async () => {
    const data = join(dir, 'receipts.db');
    const first = await startSimulatorProcess(['--data', data, '--receipt-delay', '300'], env);
    processes.push(first);
    const tx = await TestEsme.connect(first.smppPort);
    await tx.bind('transmitter');
    const resp = await tx.submit({ destination_addr: '4915700000001', registered_delivery: 1, data_coding: 0, short_message: 'receipt me' });
    await first.kill('SIGKILL');
    tx.close();

    const second = await startSimulatorProcess(['--data', data], env);
    processes.push(second);
    const rx = await TestEsme.connect(second.smppPort);
    await rx.bind('receiver');
    const [receipt] = await rx.waitForDeliveries(1, (d) => d['esm_class'] === 0x04, 10_000);
    expect(receipt!['receipted_message_id']).toBe(resp['message_id']);
    rx.close();
    await second.kill();
  });

  it('exits with code 2 and one line naming the setting on bad config', async () => {
    const bad = runCli(['simulator', '--smpp-port', '99999']);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr().trim()).toBe('verigate: bad config: --smpp-port: 99999 is not a port (0-65535)');
    const badEnv = runCli(['simulator'], { VERIGATE_ACCOUNT_SID: 'nope' });
    expect(await badEnv.exited).toBe(2);
    expect(badEnv.stderr()).toMatch(/VERIGATE_ACCOUNT_SID/);
    const badFile = runCli(['simulator', '--config', join(dir, 'missing.json')]);
    expect(await badFile.exited).toBe(2);
    expect(badFile.stderr()).toMatch(/--config: cannot read/);
  });

  it('shuts down cleanly on SIGTERM, unbinding its ESMEs', async () => {
    const sim = await startSimulatorProcess([], env);
    const esme = await TestEsme.connect(sim.smppPort);
    await esme.bind('transceiver');
    expect(await sim.kill('SIGTERM')).toBe(0);
    await waitFor('the unbind', () => esme.unbinds.length === 1);
    esme.close();
  });
});
