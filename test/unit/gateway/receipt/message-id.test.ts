import { describe, expect, it } from 'vitest';
import { messageIdKey, parseMessageIdType } from '../../../../gateway/receipt/message-id';

describe('message id keys', () => {
  it('compare text ids without case, surrounding space or leading zeros, and never convert them', () => {
    expect(messageIdKey(' 0000ABC12 ', 'string', 'receipt')).toBe(messageIdKey('abc12', 'string', 'submit'));
    expect(messageIdKey('4660', 'string', 'receipt')).not.toBe(messageIdKey('1234', 'string', 'submit'));
    expect(messageIdKey('0', 'string', 'submit')).toBe('0');
  });

  it('read each side in the base msg_id_type gives it, and only that one', () => {
    // 1: submit_sm_resp hex, receipt decimal.
    expect(messageIdKey('00003039', 1, 'submit')).toBe(messageIdKey('12345', 1, 'receipt'));
    expect(messageIdKey('1234', 1, 'submit')).not.toBe(messageIdKey('1234', 1, 'receipt'));
    // 0: both decimal: 4660 is not 0x1234.
    expect(messageIdKey('4660', 0, 'receipt')).not.toBe(messageIdKey('1234', 0, 'submit'));
    expect(messageIdKey('FF', 3, 'submit')).toBe(messageIdKey('00ff', 3, 'receipt'));
  });

  it('keep an id that is not a number in its declared base as text', () => {
    expect(messageIdKey('msg-77', 0, 'submit')).toBe('msg-77');
    expect(messageIdKey('XYZ', 3, 'receipt')).toBe('xyz');
  });

  it('accept string and 0–3 as msg_id_type, nothing else', () => {
    expect(['string', '0', '3', '4', 'hex', ''].map(parseMessageIdType)).toEqual(['string', 0, 3, undefined, undefined, undefined]);
  });
});
