// Issue 9, "an sm_length that does not match the message is accepted", and issue 10's malformed PDUs:
// lengths that do not add up are refused with the command's own response, nothing is stored, the session goes on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandStatus } from '../../gateway/smpp';
import { startSimulator, type RunningSimulator } from '../support/simulator-harness';
import { bindTransceiverBody, COMMAND, cString, pdu, RawPeer } from '../support/raw-smpp-peer';
import { waitFor } from '../support/wait-for';

let running: RunningSimulator;
let peer: RawPeer;
let sequence = 100;

beforeAll(async () => {
  running = await startSimulator();
  peer = await RawPeer.connect(running.smppPort);
  peer.socket.write(pdu(COMMAND.BIND_TRANSCEIVER, 1, bindTransceiverBody('verigate', 'verigate')));
  expect((await waitFor('bind_transceiver_resp', () => peer.answer(1))).status).toBe(CommandStatus.ESME_ROK);
});

afterAll(async () => {
  peer.socket.destroy();
  await running.stop();
});

const DESTINATION = '4915123450000';

/** submit_sm's mandatory fields up to data_coding/sm_default_msg_id; then sm_length, the message bytes and TLVs as given. */
function submitBody(smLength: number, message: Buffer, tlvs: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([
    cString(''), Buffer.from([5, 0]), cString('Acme'), Buffer.from([1, 1]), cString(DESTINATION),
    Buffer.from([0, 0, 0]), cString(''), cString(''), Buffer.from([0, 0, 0, 0]),
    Buffer.from([smLength]), message, tlvs,
  ]);
}

function tlv(tag: number, declaredLength: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(tag, 0);
  head.writeUInt16BE(declaredLength, 2);
  return Buffer.concat([head, value]);
}

async function submit(body: Buffer) {
  const seq = ++sequence;
  peer.socket.write(pdu(COMMAND.SUBMIT_SM, seq, body));
  return waitFor(`the answer to submit_sm ${seq}`, () => peer.answer(seq));
}

async function storedTexts(): Promise<string[]> {
  const { body } = await running.api(`/api/messages?to=${DESTINATION}`);
  return (body as { messages: { text: string }[] }).messages.map((m) => m.text);
}

describe('SMSC refuses PDUs whose lengths do not add up', () => {
  it.each([
    ['an sm_length shorter than the message that follows', submitBody(5, Buffer.from('Hello world')), CommandStatus.ESME_RINVMSGLEN],
    ['an sm_length past the end of the PDU', submitBody(40, Buffer.from('Hello')), CommandStatus.ESME_RINVMSGLEN],
    ['a 255-octet short_message', submitBody(255, Buffer.alloc(255, 0x41)), CommandStatus.ESME_RINVMSGLEN],
    ['a TLV longer than the PDU', submitBody(0, Buffer.alloc(0), tlv(0x0424, 500, Buffer.from('only ten b'))), CommandStatus.ESME_RINVPARLEN],
    ['a TLV after the message longer than the PDU', submitBody(2, Buffer.from('hi'), tlv(0x020c, 2, Buffer.from([0, 1]))).subarray(0, -1), CommandStatus.ESME_RINVPARLEN],
    ['octets after the last TLV too few for another', Buffer.concat([submitBody(2, Buffer.from('hi')), Buffer.from([0x02, 0x04])]), CommandStatus.ESME_RINVOPTPARSTREAM],
  ])('%s: submit_sm_resp with the status, header only', async (_name, body, status) => {
    const answer = await submit(body);
    expect(answer).toMatchObject({ commandId: COMMAND.SUBMIT_SM_RESP, status, length: 16 });
  });

  it('stored none of them, and serves the session as before: 254 octets and a well-formed TLV are accepted', async () => {
    expect(await storedTexts()).toEqual([]);
    const longest = await submit(submitBody(254, Buffer.alloc(254, 0x42)));
    expect(longest).toMatchObject({ commandId: COMMAND.SUBMIT_SM_RESP, status: CommandStatus.ESME_ROK });
    const payload = Buffer.from('carried in a payload TLV');
    const viaTlv = await submit(submitBody(0, Buffer.alloc(0), tlv(0x0424, payload.length, payload)));
    expect(viaTlv.status).toBe(CommandStatus.ESME_ROK);
    expect((await storedTexts()).sort()).toEqual(['B'.repeat(254), 'carried in a payload TLV'].sort());
    peer.socket.write(pdu(COMMAND.ENQUIRE_LINK, 9_999));
    expect((await waitFor('enquire_link_resp', () => peer.answer(9_999))).commandId).toBe(COMMAND.ENQUIRE_LINK_RESP);
    expect(peer.closed).toBe(false);
  });
});
