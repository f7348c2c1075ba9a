import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandStatus } from '../../../../gateway/smpp';
import { startSimulator, type RunningSimulator } from '../../../support/simulator-harness';
import { TestEsme } from '../../../support/esme';
import { waitFor } from '../../../support/wait-for';
import { bindTransceiverBody, COMMAND, cString, pdu, RawPeer } from '../../../support/raw-smpp-peer';

let running: RunningSimulator;

const { GENERIC_NACK, ENQUIRE_LINK, ENQUIRE_LINK_RESP, BIND_TRANSCEIVER } = COMMAND;

beforeEach(async () => {
  running = await startSimulator();
});

afterEach(async () => {
  await running.stop();
});

describe('SMSC faced with PDUs it cannot read', () => {
  it('answers garbage with generic_nack ESME_RINVCMDLEN and closes only that connection', async () => {
    const healthy = await TestEsme.connect(running.smppPort);
    await healthy.bind('transceiver');
    const bad = await RawPeer.connect(running.smppPort);
    bad.socket.write(Buffer.from('GET / HTTP/1.1\r\nHost: smsc\r\n\r\n'));
    await waitFor('the garbage connection to close', () => bad.closed);
    expect(bad.received[0]).toMatchObject({ commandId: GENERIC_NACK, status: CommandStatus.ESME_RINVCMDLEN });
    const resp = await healthy.submit({ destination_addr: '4915111111111', short_message: Buffer.from('still here') });
    expect(resp.command_status).toBe(CommandStatus.ESME_ROK);
    healthy.close();
  });

  it('rejects a command_length above the maximum or below the header size, naming the sequence when it can', async () => {
    const big = await RawPeer.connect(running.smppPort);
    big.socket.write(pdu(ENQUIRE_LINK, 77, Buffer.alloc(0), 1 << 20));
    await waitFor('close after an oversized length', () => big.closed);
    expect(big.received[0]).toMatchObject({ commandId: GENERIC_NACK, status: CommandStatus.ESME_RINVCMDLEN, sequence: 77 });

    const small = await RawPeer.connect(running.smppPort);
    small.socket.write(pdu(ENQUIRE_LINK, 5, Buffer.alloc(0), 8));
    await waitFor('close after a too-small length', () => small.closed);
    expect(small.received[0]).toMatchObject({ commandId: GENERIC_NACK, status: CommandStatus.ESME_RINVCMDLEN });
  });

  it('answers an unknown command_id with generic_nack ESME_RINVCMDID and keeps reading that session', async () => {
    const peer = await RawPeer.connect(running.smppPort);
    peer.socket.write(Buffer.concat([pdu(0x00000777, 9), pdu(ENQUIRE_LINK, 10)]));
    await waitFor('two answers', () => peer.received.length >= 2);
    expect(peer.received[0]).toMatchObject({ commandId: GENERIC_NACK, status: CommandStatus.ESME_RINVCMDID, sequence: 9 });
    expect(peer.received[1]).toMatchObject({ commandId: ENQUIRE_LINK_RESP, status: 0, sequence: 10 });
    expect(peer.closed).toBe(false);
    peer.socket.destroy();
  });

  it('answers a PDU whose body is cut short inside its own length with generic_nack, then serves the next PDU', async () => {
    const peer = await RawPeer.connect(running.smppPort);
    // bind_transceiver whose body holds only a system_id: the mandatory int8 fields are missing.
    peer.socket.write(Buffer.concat([pdu(BIND_TRANSCEIVER, 3, Buffer.from('verigate\0')), pdu(ENQUIRE_LINK, 4)]));
    await waitFor('two answers', () => peer.received.length >= 2);
    expect(peer.received[0]).toMatchObject({ commandId: GENERIC_NACK, status: CommandStatus.ESME_RINVCMDLEN, sequence: 3 });
    expect(peer.received[1]).toMatchObject({ commandId: ENQUIRE_LINK_RESP, sequence: 4 });
    peer.socket.destroy();
  });

  it('keeps other ESMEs working while one connection stops halfway through a PDU', async () => {
    const truncated = await RawPeer.connect(running.smppPort);
    truncated.socket.write(pdu(ENQUIRE_LINK, 1, Buffer.alloc(0), 40).subarray(0, 20));
    const healthy = await TestEsme.connect(running.smppPort);
    await healthy.bind('transceiver');
    expect((await healthy.request('enquire_link')).command_status).toBe(CommandStatus.ESME_ROK);
    truncated.socket.end();
    await waitFor('the truncated connection to close', () => truncated.closed);
    expect((await healthy.submit({ destination_addr: '4915111111111', short_message: Buffer.from('ok') })).command_status).toBe(CommandStatus.ESME_ROK);
    healthy.close();
  });

  it('closes a connection that never binds once the bind timeout passes', async () => {
    await running.stop();
    running = await startSimulator({ });
    // The default bind timeout is long; a short-lived SMSC shows the timer is armed per connection.
    const { SmscServer } = await import('../../../../simulator/smsc/smsc-server');
    const smsc = new SmscServer({ port: 0, bindTimeoutMs: 100, handlers: { authenticate: () => 0, submit: () => ({ status: 0 }) } });
    const port = await smsc.listen();
    const idle = await RawPeer.connect(port);
    await waitFor('the idle connection to be closed', () => idle.closed, 3_000);
    await smsc.close();
  });
});

describe('SMSC faced with malformed submit_multi and replace_sm', () => {
  const SUBMIT_MULTI = 0x00000021;
  const REPLACE_SM = 0x00000007;

  it('answers a submit_multi that promises more destinations than it holds, and a replace_sm whose sm_length runs past its end, and keeps the session', async () => {
    const peer = await RawPeer.connect(running.smppPort);
    peer.socket.write(pdu(BIND_TRANSCEIVER, 1, bindTransceiverBody('verigate', 'verigate')));
    await waitFor('bind_transceiver_resp', () => peer.answer(1));
    // number_of_dests 5, one destination given, then the PDU ends.
    const multi = Buffer.concat([cString(''), Buffer.from([5, 0]), cString('Acme'), Buffer.from([5, 1, 1, 1]), cString('4915111111111')]);
    // replace_sm: message_id, source, two empty times, registered_delivery, sm_default_msg_id, sm_length 40 with 2 octets.
    const replace = Buffer.concat([cString('0000000000000001'), Buffer.from([5, 0]), cString('Acme'), cString(''), cString(''), Buffer.from([1, 0, 40]), Buffer.from('hi')]);
    peer.socket.write(Buffer.concat([pdu(SUBMIT_MULTI, 2, multi), pdu(REPLACE_SM, 3, replace), pdu(ENQUIRE_LINK, 4)]));
    await waitFor('three answers', () => peer.answer(2) && peer.answer(3) && peer.answer(4));
    expect(peer.answer(2)).toMatchObject({ commandId: GENERIC_NACK, status: CommandStatus.ESME_RINVCMDLEN });
    expect(peer.answer(3)).toMatchObject({ commandId: (REPLACE_SM | 0x80000000) >>> 0, status: CommandStatus.ESME_RINVMSGLEN });
    expect(peer.answer(4)).toMatchObject({ commandId: ENQUIRE_LINK_RESP, status: CommandStatus.ESME_ROK });
    const { body } = await running.api('/api/messages');
    expect((body as { messages: unknown[] }).messages).toEqual([]);
    peer.socket.destroy();
  });
});
