import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandStatus } from '../../../../gateway/smpp';
import { startSimulator, type RunningSimulator } from '../../../support/simulator-harness';
import { TestEsme } from '../../../support/esme';

let running: RunningSimulator;
const esmes: TestEsme[] = [];

async function esme(): Promise<TestEsme> {
  const client = await TestEsme.connect(running.smppPort);
  esmes.push(client);
  return client;
}

beforeEach(async () => {
  running = await startSimulator();
});

afterEach(async () => {
  for (const client of esmes.splice(0)) client.close();
  await running.stop();
});

describe('SMSC binds', () => {
  it('binds a transmitter, a receiver and a transceiver at once and names itself', async () => {
    const [tx, rx, trx] = await Promise.all([esme(), esme(), esme()]);
    const responses = await Promise.all([tx.bind('transmitter'), rx.bind('receiver'), trx.bind('transceiver')]);
    expect(responses.map((r) => r.command)).toEqual(['bind_transmitter_resp', 'bind_receiver_resp', 'bind_transceiver_resp']);
    expect(responses.every((r) => r.command_status === CommandStatus.ESME_ROK && r['system_id'] === 'verigate')).toBe(true);
    const { body } = await running.api('/api/smpp/binds');
    expect((body as { binds: { mode: string }[] }).binds.map((b) => b.mode).sort()).toEqual(['receiver', 'transceiver', 'transmitter']);
  });

  it('refuses a wrong password and an unknown system_id alike, with ESME_RINVPASWD', async () => {
    const client = await esme();
    expect((await client.bind('transceiver', 'verigate', 'wrong')).command_status).toBe(CommandStatus.ESME_RINVPASWD);
    expect((await client.bind('transceiver', 'nobody', 'verigate')).command_status).toBe(CommandStatus.ESME_RINVPASWD);
    // The refusal leaves the connection open for a correct bind.
    expect((await client.bind('transceiver')).command_status).toBe(CommandStatus.ESME_ROK);
  });

  it('answers a second bind on a bound session with ESME_RALYBND', async () => {
    const client = await esme();
    await client.bind('transceiver');
    expect((await client.bind('transmitter')).command_status).toBe(CommandStatus.ESME_RALYBND);
  });

  it('answers submit_sm before bind, and from a receiver, with ESME_RINVBNDSTS', async () => {
    const unbound = await esme();
    const before = await unbound.submit({ destination_addr: '491511234567', short_message: Buffer.from('hi') });
    expect(before.command).toBe('submit_sm_resp');
    expect(before.command_status).toBe(CommandStatus.ESME_RINVBNDSTS);
    const receiver = await esme();
    await receiver.bind('receiver');
    expect((await receiver.submit({ destination_addr: '491511234567', short_message: Buffer.from('hi') })).command_status).toBe(CommandStatus.ESME_RINVBNDSTS);
  });

  it('answers enquire_link in any state, and unbind with unbind_resp before closing', async () => {
    const client = await esme();
    expect((await client.request('enquire_link')).command).toBe('enquire_link_resp');
    await client.bind('transceiver');
    expect((await client.request('enquire_link')).command_status).toBe(CommandStatus.ESME_ROK);
    const unbind = await client.request('unbind');
    expect(unbind.command).toBe('unbind_resp');
    await client.waitForClose();
  });

  it('answers commands it does not serve with generic_nack ESME_RINVCMDID and keeps the session', async () => {
    const client = await esme();
    await client.bind('transceiver');
    const nack = await client.request('query_broadcast_sm', { message_id: 'x', source_addr: '1' });
    expect(nack.command).toBe('generic_nack');
    expect(nack.command_status).toBe(CommandStatus.ESME_RINVCMDID);
    expect((await client.request('enquire_link')).command_status).toBe(CommandStatus.ESME_ROK);
  });
});
