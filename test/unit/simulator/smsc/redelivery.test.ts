// Issue 10 (simulator): deliver_sm has a window, each receipt and MO has one retry schedule however often
// the ESME rebinds, and permanent refusals (ESME_RX_P_APPN, ESME_RX_R_APPN) end the retries.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandStatus } from '../../../../gateway/smpp';
import { startSimulator, type RunningSimulator } from '../../../support/simulator-harness';
import { TestEsme } from '../../../support/esme';
import { ManualClock } from '../../../support/manual-clock';
import { bindTransceiverBody, COMMAND, pdu, RawPeer } from '../../../support/raw-smpp-peer';
import { waitFor } from '../../../support/wait-for';

const ESME_RX_T_APPN = 0x64;
const ESME_RX_P_APPN = 0x65;
const to = '4915200000123';

let clock: ManualClock;
let running: RunningSimulator;
let transmitter: TestEsme;
const peers: RawPeer[] = [];
let sequence = 1_000;

beforeEach(async () => {
  clock = new ManualClock();
  running = await startSimulator({ clock });
  transmitter = await TestEsme.connect(running.smppPort);
  await transmitter.bind('transmitter');
});

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.socket.destroy();
  transmitter.close();
  await running.stop();
});

/** A receiver that answers deliver_sm only when the test says so. */
async function receiver(): Promise<RawPeer> {
  const peer = await RawPeer.connect(running.smppPort);
  peers.push(peer);
  const body = bindTransceiverBody('verigate', 'verigate');
  peer.socket.write(pdu(COMMAND.BIND_RECEIVER, 1, body));
  expect((await waitFor('bind_receiver_resp', () => peer.answer(1))).status).toBe(CommandStatus.ESME_ROK);
  return peer;
}

/**
 * Everything the SMSC wrote to `peer` before this call has arrived once this resolves: the enquire_link
 * is answered after it, on the same connection.
 */
async function barrier(peer: RawPeer): Promise<void> {
  const seq = ++sequence;
  peer.socket.write(pdu(COMMAND.ENQUIRE_LINK, seq));
  await waitFor('enquire_link_resp', () => peer.answer(seq));
}

/** Polls an HTTP read until it says yes (waitFor takes only synchronous probes). */
async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; !(await probe()); tries++) {
    if (tries > 500) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const deliveries = (peer: RawPeer) => peer.requests(COMMAND.DELIVER_SM);

async function submitWithReceipt(count = 1): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await transmitter.submit({ destination_addr: to, registered_delivery: 1, short_message: Buffer.from(`code ${i}`) });
    ids.push(String(response['message_id']));
  }
  clock.advance(0); // the receipt delay is 0: outcomes are reached
  return ids;
}

async function receiptOf(partId: string): Promise<string> {
  const { body } = await running.api(`/api/messages?to=%2B${to}`);
  for (const message of (body as { messages: { id: string }[] }).messages) {
    const detail = (await running.api(`/api/messages/${message.id}`)).body as { segments: { messageId: string; receipt: string }[] };
    const part = detail.segments.find((s) => s.messageId === partId);
    if (part) return part.receipt;
  }
  throw new Error(`no part ${partId}`);
}

describe('deliver_sm window', () => {
  it('keeps at most 10 deliver_sm outstanding on a session; the rest go as answers come', async () => {
    const rx = await receiver();
    await submitWithReceipt(25);
    const server = () => running.sim.smsc.connections().find((c) => c.remote === `127.0.0.1:${rx.socket.localPort}`)!;
    await waitFor('10 in flight and 15 waiting', () => server().deliversInFlight === 10 && server().deliversWaiting === 15);
    await barrier(rx);
    expect(deliveries(rx)).toHaveLength(10);
    for (let answered = 0; answered < 25; ) {
      const batch = deliveries(rx).slice(answered);
      for (const request of batch) rx.respond(request);
      answered += batch.length;
      if (answered < 25) await waitFor('the next deliver_sm', () => deliveries(rx).length > answered);
      expect(server().deliversInFlight).toBeLessThanOrEqual(10);
    }
    await waitFor('the window to empty', () => server().deliversInFlight === 0);
    expect(deliveries(rx)).toHaveLength(25);
  });

  it('counts a deliver_sm whose response timed out until its late response arrives', async () => {
    const rx = await receiver();
    await submitWithReceipt(12);
    const server = () => running.sim.smsc.connections().find((c) => c.remote === `127.0.0.1:${rx.socket.localPort}`)!;
    await waitFor('10 in flight and 2 waiting', () => server().deliversInFlight === 10 && server().deliversWaiting === 2);
    clock.advance(10_000); // every response timeout passes: the ESME may still be working on them
    await barrier(rx);
    expect(deliveries(rx)).toHaveLength(10);
    expect(server()).toMatchObject({ deliversInFlight: 10, deliversWaiting: 2 });
    expect(running.sim.smsc.binds().find((b) => b.remote.endsWith(`:${rx.socket.localPort}`))?.windowInUse).toBe(10);
    rx.respond(deliveries(rx)[3]!); // one late response frees one slot, and only one
    await waitFor('the 11th deliver_sm', () => deliveries(rx).length === 11);
    await barrier(rx);
    expect(deliveries(rx)).toHaveLength(11);
    expect(server().deliversWaiting).toBe(1);
  });
});

describe('receipt redelivery', () => {
  it('keeps one retry schedule per receipt across rebinds, doubling from 5 s', async () => {
    const [id] = await submitWithReceipt();
    // Refused temporarily on three binds, 2 s apart.
    for (let bind = 1; bind <= 3; bind++) {
      const rx = await receiver();
      const [request] = await waitFor(`the receipt on bind ${bind}`, () => (deliveries(rx).length === 1 ? deliveries(rx) : undefined));
      rx.respond(request!, ESME_RX_T_APPN);
      await waitFor('the SMSC to take the refusal', () => running.sim.smsc.connections().every((c) => c.deliversInFlight === 0));
      if (bind < 3) {
        rx.socket.destroy();
        await waitFor('the SMSC to see the close', () => running.sim.smsc.connections().length === 1);
        clock.advance(2_000);
      }
    }
    const rx = peers.at(-1)!;
    // Third refusal: the next try is 20 s later, and only one, whatever the earlier binds had scheduled.
    clock.advance(19_999);
    await barrier(rx);
    expect(deliveries(rx)).toHaveLength(1);
    clock.advance(1);
    await barrier(rx);
    expect(deliveries(rx)).toHaveLength(2);
    rx.respond(deliveries(rx)[1]!);
    await until('the receipt to be marked sent', async () => (await receiptOf(id!)) === 'sent');
  });

  it('stops at a permanent refusal (ESME_RX_P_APPN), also across a rebind', async () => {
    const [id] = await submitWithReceipt();
    const rx = await receiver();
    const [request] = await waitFor('the receipt', () => (deliveries(rx).length ? deliveries(rx) : undefined));
    rx.respond(request!, ESME_RX_P_APPN);
    await waitFor('the SMSC to take the refusal', () => running.sim.smsc.connections().every((c) => c.deliversInFlight === 0));
    clock.advance(120_000);
    await barrier(rx);
    expect(deliveries(rx)).toHaveLength(1);
    const again = await receiver();
    await barrier(again);
    expect(deliveries(again)).toHaveLength(0);
    expect(await receiptOf(id!)).toBe('refused');
  });
});

describe('MO redelivery', () => {
  async function moStatus(text: string): Promise<string | undefined> {
    const { body } = await running.api('/api/messages?from=%2B4915799990000');
    return (body as { messages: { text: string; status: string }[] }).messages.find((m) => m.text === text)?.status;
  }

  it('sends an MO again after a temporary refusal while the receiver stays bound, and marks it sent', async () => {
    const rx = await receiver();
    expect((await running.api('/api/handsets/%2B4915799990000/sms', { method: 'POST', body: { to: '12345', text: 'STOP' } })).status).toBe(201);
    const [first] = await waitFor('the MO', () => (deliveries(rx).length ? deliveries(rx) : undefined));
    rx.respond(first!, ESME_RX_T_APPN);
    await waitFor('the SMSC to take the refusal', () => running.sim.smsc.connections().every((c) => c.deliversInFlight === 0));
    clock.advance(5_000);
    const second = await waitFor('the MO again', () => deliveries(rx)[1]);
    rx.respond(second);
    await until('the MO to be sent', async () => (await moStatus('STOP')) === 'sent');
  });

  it('marks an MO refused for good (ESME_RX_P_APPN) failed and sends it no more', async () => {
    const rx = await receiver();
    await running.api('/api/handsets/%2B4915799990000/sms', { method: 'POST', body: { to: '12345', text: 'HELP' } });
    const [first] = await waitFor('the MO', () => (deliveries(rx).length ? deliveries(rx) : undefined));
    rx.respond(first!, ESME_RX_P_APPN);
    await until('the MO to be failed', async () => (await moStatus('HELP')) === 'failed');
    clock.advance(120_000);
    await barrier(rx);
    expect(deliveries(rx)).toHaveLength(1);
  });
});
