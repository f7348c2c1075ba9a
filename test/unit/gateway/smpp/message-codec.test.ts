// The hand codec of the per-message PDUs writes exactly what the `smpp` package writes for the same fields,
// reads what the package writes, and falls back (undefined) on anything it does not know.
import smpp from 'smpp';
import { afterEach, describe, expect, it } from 'vitest';
import { SmppListener, SmppSession, type Pdu } from '../../../../gateway/smpp';
import { decodeMessageRequest, decodeMessageResponse, encodeMessageRequest, encodeMessageResponse } from '../../../../gateway/smpp/message-codec';
import { buildPdu } from '../../../../gateway/smpp/smpp-package';
import { TestEsme } from '../../../support/esme';
import { waitFor } from '../../../support/wait-for';

const packageBytes = (command: string, fields: Record<string, unknown>) => buildPdu(command, fields).toBuffer();

const receipt = {
  source_addr_ton: 1,
  source_addr_npi: 1,
  source_addr: '4915112345678',
  dest_addr_ton: 5,
  dest_addr_npi: 1,
  destination_addr: 'Verigate',
  esm_class: 0x04,
  data_coding: 0,
  short_message: Buffer.from('id:0123456789abcdef sub:001 dlvrd:000 submit date:2611231200 done date:2611231201 stat:UNDELIV err:027 text:Your code'),
  receipted_message_id: '0123456789abcdef',
  message_state: 5,
  network_error_code: Buffer.from([3, 0, 27]),
};

const submit = {
  service_type: 'CMT',
  source_addr_ton: 5,
  source_addr_npi: 0,
  source_addr: 'Verigate',
  dest_addr_ton: 1,
  dest_addr_npi: 1,
  destination_addr: '4915112345678',
  esm_class: 0x40,
  registered_delivery: 1,
  validity_period: '000000001000000R',
  data_coding: 8,
  short_message: Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x02, 0x01, 0x00, 0x48, 0x00, 0xe9]),
  user_message_reference: 513,
  sar_msg_ref_num: 42,
  sar_total_segments: 2,
  sar_segment_seqnum: 1,
};

describe('message codec: the same bytes as the smpp package', () => {
  it.each([
    ['a delivery receipt (deliver_sm with its TLVs)', 'deliver_sm', receipt],
    ['a concatenated UCS-2 submit_sm with sar TLVs', 'submit_sm', submit],
    ['a submit_sm whose text is in message_payload', 'submit_sm', { destination_addr: '4915112345678', short_message: Buffer.alloc(0), message_payload: Buffer.alloc(300, 0x41) }],
    ['a deliver_sm with only an address (the rest as the package defaults it)', 'deliver_sm', { destination_addr: '4915112345678' }],
    ['latin1 characters in a C string', 'submit_sm', { source_addr: 'Café', destination_addr: '49151', short_message: Buffer.from('x') }],
  ])('%s', (_label, command, fields) => {
    const ours = encodeMessageRequest(command, 77, fields);
    expect(ours).toBeDefined();
    expect(ours!.equals(packageBytes(command, { ...fields, sequence_number: 77 }))).toBe(true);
  });

  it.each([
    ['submit_sm_resp', 0, 'a1b2c3d4e5f60708'],
    ['deliver_sm_resp', 0, ''],
    ['data_sm_resp', 0, 'ff'],
    ['submit_sm_resp', 0x58, 'ignored on an error'],
    ['deliver_sm_resp', 0x64, undefined],
  ] as const)('%s with status %i', (command, status, messageId) => {
    const ours = encodeMessageResponse(command, 0x7fffffff, status, messageId);
    expect(ours!.equals(packageBytes(command, { sequence_number: 0x7fffffff, command_status: status, message_id: messageId }))).toBe(true);
  });

  it('leaves to the package what it does not know', () => {
    expect(encodeMessageRequest('data_sm', 1, { destination_addr: '1' })).toBeUndefined();
    expect(encodeMessageRequest('deliver_sm', 1, { destination_addr: '1', its_session_info: Buffer.from([1, 2]) })).toBeUndefined();
    expect(encodeMessageRequest('deliver_sm', 1, { destination_addr: '1', short_message: 'text, not bytes' })).toBeUndefined();
    expect(encodeMessageRequest('deliver_sm', 1, { destination_addr: '1', esm_class: '4' })).toBeUndefined();
    expect(encodeMessageRequest('deliver_sm', 1, { destination_addr: '1', message_state: undefined })).toBeUndefined();
    expect(encodeMessageResponse('query_sm_resp', 1, 0, 'x')).toBeUndefined();
    expect(encodeMessageResponse('submit_sm_resp', 1, 0, 42)).toBeUndefined();
  });

  it('refuses a value out of range as the package does, instead of cutting it', () => {
    expect(() => encodeMessageRequest('deliver_sm', 1, { destination_addr: '1', esm_class: 256 })).toThrow(RangeError);
    expect(() => packageBytes('deliver_sm', { destination_addr: '1', esm_class: 256 })).toThrow(RangeError);
  });
});

describe('message codec: reading responses', () => {
  const decode = (bytes: Buffer) => decodeMessageResponse(bytes.readUInt32BE(0), bytes.subarray(4));
  const packageDecode = (bytes: Buffer) => {
    const pdu = new smpp.PDU(bytes) as unknown as Record<string, unknown>;
    return { command: pdu['command'], command_id: pdu['command_id'], command_status: pdu['command_status'], sequence_number: pdu['sequence_number'], command_length: pdu['command_length'], message_id: pdu['message_id'] };
  };

  it.each([
    ['submit_sm_resp', { sequence_number: 9, message_id: '4f2a' }],
    ['deliver_sm_resp', { sequence_number: 10, message_id: '' }],
    ['data_sm_resp', { sequence_number: 11, message_id: 'abc' }],
    ['submit_sm_resp', { sequence_number: 12, command_status: 0x45 }],
  ])('%s %j as the package reads it', (command, fields) => {
    const bytes = packageBytes(command, fields);
    const ours = decode(bytes);
    expect(JSON.parse(JSON.stringify(ours))).toEqual(JSON.parse(JSON.stringify(packageDecode(bytes))));
  });

  it('reads an error response that carries a body, and a message_id without its NUL', () => {
    const withBody = Buffer.concat([packageBytes('submit_sm_resp', { sequence_number: 3, message_id: 'x' })]);
    withBody.writeUInt32BE(0x14, 8);
    expect(decode(withBody)).toMatchObject({ command_status: 0x14, message_id: 'x' });
    const noNul = Buffer.from([0, 0, 0, 19, 0x80, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 5, 0x61, 0x62, 0x63]);
    expect(decode(noNul)).toMatchObject({ command: 'submit_sm_resp', sequence_number: 5, message_id: 'abc' });
  });

  it('leaves every other command to the package', () => {
    expect(decode(packageBytes('enquire_link_resp', { sequence_number: 1 }))).toBeUndefined();
    expect(decode(packageBytes('deliver_sm', { sequence_number: 1, destination_addr: '1' }))).toBeUndefined();
  });
});

describe('message codec: reading submit_sm and deliver_sm', () => {
  const decode = (bytes: Buffer) => decodeMessageRequest(bytes.readUInt32BE(0), bytes.subarray(4));
  /** Field by field, bytes as hex, so that the two readings compare whatever their object shapes. */
  const plain = (pdu: object) => Object.fromEntries(Object.entries(pdu).map(([k, v]) => [k, Buffer.isBuffer(v) ? `hex:${v.toString('hex')}` : v]));

  it.each([
    ['a delivery receipt with its TLVs', 'deliver_sm', receipt],
    ['a concatenated UCS-2 submit_sm with sar TLVs', 'submit_sm', submit],
    ['a submit_sm whose text is in message_payload', 'submit_sm', { destination_addr: '4915112345678', short_message: Buffer.alloc(0), message_payload: Buffer.alloc(300, 0x41) }],
    ['a submit_sm with times and a 254-octet text holding NULs', 'submit_sm', { destination_addr: '1', schedule_delivery_time: '261124120000000+', validity_period: '000001000000000R', short_message: Buffer.alloc(254, 0) }],
    ['high-bit octets in a C string (read as ascii, as the package does)', 'submit_sm', { source_addr: Buffer.from([0xc3, 0xa9, 0x41]), destination_addr: '49151', short_message: Buffer.from('x') }],
  ])('%s, as the package reads it', (_label, command, fields) => {
    const bytes = packageBytes(command, { ...fields, sequence_number: 0x1234 });
    const ours = decode(bytes);
    expect(ours).toBeDefined();
    expect(plain(ours!)).toEqual(plain(new smpp.PDU(bytes) as unknown as object));
  });

  it('copies the byte fields out of the buffer it reads', () => {
    const bytes = packageBytes('submit_sm', { destination_addr: '1', short_message: Buffer.from('abc'), sequence_number: 1 });
    const pdu = decode(bytes)!;
    bytes.fill(0x7a, bytes.length - 3);
    expect((pdu['short_message'] as Buffer).toString()).toBe('abc');
  });

  it('leaves to the package, which reports the fault, anything not plainly well formed', () => {
    const good = packageBytes('submit_sm', { destination_addr: '1', short_message: Buffer.from('hello'), sequence_number: 1 });
    const withLength = (bytes: Buffer) => { bytes.writeUInt32BE(bytes.length, 0); return bytes; };
    const smLengthAt = good.length - 6;
    expect(good[smLengthAt]).toBe(5);
    const longSm = Buffer.from(good); longSm[smLengthAt] = 6;
    const shortSm = Buffer.from(good); shortSm[smLengthAt] = 4;
    const tlv = (tag: number, value: Buffer) => Buffer.concat([Buffer.from([tag >> 8, tag & 0xff, value.length >> 8, value.length & 0xff]), value]);
    expect(decode(longSm)).toBeUndefined();
    expect(decode(shortSm)).toBeUndefined();
    expect(decode(withLength(good.subarray(0, 30)))).toBeUndefined();
    expect(decode(withLength(Buffer.concat([good, tlv(0x1403, Buffer.from([1]))])))).toBeUndefined(); // a TLV the codec does not list
    expect(decode(withLength(Buffer.concat([good, tlv(0x020e, Buffer.from([1, 2]))])))).toBeUndefined(); // an odd length
    expect(decode(withLength(Buffer.concat([good, tlv(0x020e, Buffer.from([2])), tlv(0x020e, Buffer.from([3]))])))).toBeUndefined(); // twice
    expect(decode(withLength(Buffer.concat([good, Buffer.from([0x02, 0x0e, 0x00])])))).toBeUndefined(); // a TLV cut short
    expect(decode(packageBytes('data_sm', { destination_addr: '1', sequence_number: 1 }))).toBeUndefined();
    expect(decode(packageBytes('submit_sm_resp', { message_id: 'x', sequence_number: 1 }))).toBeUndefined();
  });
});

describe('message codec on a real link', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('a receipt sent by our session is read field for field by a package ESME, whose response our session reads', async () => {
    const sessions: SmppSession[] = [];
    const listener = new SmppListener({ port: 0, onSession: (session) => sessions.push(session) });
    cleanups.push(() => listener.close());
    const esme = await TestEsme.connect(await listener.listen());
    cleanups.push(() => esme.close());
    await waitFor('the session to be accepted', () => sessions.length === 1);
    const response = await sessions[0]!.request('deliver_sm', receipt);
    expect(response).toMatchObject({ command: 'deliver_sm_resp', command_status: 0, message_id: '' });
    expect(esme.receipts()).toHaveLength(1);
    const pdu = esme.receipts()[0]!;
    expect(pdu['receipted_message_id']).toBe('0123456789abcdef');
    expect(pdu['message_state']).toBe(5);
    expect(Buffer.from(pdu['network_error_code'] as Buffer)).toEqual(receipt.network_error_code);
    expect(pdu['source_addr']).toBe('4915112345678');
    expect(pdu['destination_addr']).toBe('Verigate');
  });

  it('a submit_sm answered by our session carries the message id to a package ESME', async () => {
    const listener = new SmppListener({
      port: 0,
      onSession: (session) => session.on('request', (pdu: Pdu) => session.respond(pdu, { message_id: `id-${pdu.sequence_number}` })),
    });
    cleanups.push(() => listener.close());
    const esme = await TestEsme.connect(await listener.listen());
    cleanups.push(() => esme.close());
    const answer = await esme.submit({ destination_addr: '4915112345678', short_message: 'hi' });
    expect(answer).toMatchObject({ command: 'submit_sm_resp', command_status: 0, message_id: `id-${answer.sequence_number}` });
  });
});
