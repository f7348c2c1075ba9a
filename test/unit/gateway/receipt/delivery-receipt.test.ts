import { describe, it, expect } from 'vitest';
import { formatReceipt, parseReceipt } from '../../../../gateway/receipt';

const submitDate = new Date(Date.UTC(2024, 2, 5, 9, 7, 31));
const doneDate = new Date(Date.UTC(2024, 2, 5, 9, 8, 2));

describe('formatReceipt', () => {
  it('writes the Appendix B layout with padded counts and UTC dates', () => {
    expect(
      formatReceipt({
        id: '1A2B3C', sub: 1, dlvrd: 1, submitDate, doneDate, stat: 'DELIVRD', err: 0, text: 'Your code is 123456',
      }),
    ).toBe(
      'id:1A2B3C sub:001 dlvrd:001 submit date:2403050907 done date:2403050908 stat:DELIVRD err:000 text:Your code is 123456',
    );
  });

  it('truncates the text to its first 20 characters without cutting an emoji', () => {
    const receipt = formatReceipt({
      id: '42', sub: '1', dlvrd: '0', submitDate, doneDate, stat: 'UNDELIV', err: '0B', text: `${'x'.repeat(19)}😀 tail`,
    });
    expect(receipt).toBe(
      `id:42 sub:001 dlvrd:000 submit date:2403050907 done date:2403050908 stat:UNDELIV err:00B text:${'x'.repeat(19)}😀`,
    );
  });

  it('uses UTC even across a date change', () => {
    const late = new Date(Date.UTC(2023, 11, 31, 23, 59, 59));
    expect(
      formatReceipt({ id: '7', sub: 1, dlvrd: 1, submitDate: late, doneDate: late, stat: 'EXPIRED', err: 0, text: '' }),
    ).toBe('id:7 sub:001 dlvrd:001 submit date:2312312359 done date:2312312359 stat:EXPIRED err:000 text:');
  });

  it('parses back what it formats', () => {
    const text = formatReceipt({
      id: '0012345678', sub: 1, dlvrd: 1, submitDate, doneDate, stat: 'DELIVRD', err: 0, text: 'Code 123456',
    });
    expect(parseReceipt(text)).toEqual({
      id: '0012345678',
      sub: 1,
      dlvrd: 1,
      submitDate: new Date(Date.UTC(2024, 2, 5, 9, 7)),
      doneDate: new Date(Date.UTC(2024, 2, 5, 9, 8)),
      stat: 'DELIVRD',
      err: '000',
      text: 'Code 123456',
    });
  });
});

describe('parseReceipt', () => {
  it('reads a Kannel-style receipt', () => {
    const receipt = parseReceipt(
      'id:2819381290 sub:001 dlvrd:001 submit date:2405211530 done date:2405211531 stat:DELIVRD err:000 text:Code 123456 @ 5',
    );
    expect(receipt).toEqual({
      id: '2819381290',
      sub: 1,
      dlvrd: 1,
      submitDate: new Date(Date.UTC(2024, 4, 21, 15, 30)),
      doneDate: new Date(Date.UTC(2024, 4, 21, 15, 31)),
      stat: 'DELIVRD',
      err: '000',
      text: 'Code 123456 @ 5',
    });
  });

  it('keeps a hex id exactly as written', () => {
    expect(parseReceipt('id:0a1B2c3D sub:001 dlvrd:001 stat:DELIVRD')?.id).toBe('0a1B2c3D');
  });

  it('accepts underscores, odd case, extra spaces and dates with seconds', () => {
    const receipt = parseReceipt(
      'ID: 7f3a9e  Sub:1  DLVRD:0 submit_date:240521153012   Done_Date : 240521160000 Stat:undeliv Err:  011 Text:',
    );
    expect(receipt).toEqual({
      id: '7f3a9e',
      sub: 1,
      dlvrd: 0,
      submitDate: new Date(Date.UTC(2024, 4, 21, 15, 30, 12)),
      doneDate: new Date(Date.UTC(2024, 4, 21, 16, 0, 0)),
      stat: 'UNDELIV',
      err: '011',
      text: '',
    });
  });

  it('tolerates missing fields', () => {
    expect(parseReceipt('id:123 stat:EXPIRED')).toEqual({ id: '123', stat: 'EXPIRED' });
    expect(parseReceipt('stat:REJECTD err:045')).toEqual({ stat: 'REJECTD', err: '045' });
  });

  it('maps spelled-out states to the 7-letter code and keeps unknown ones upper-cased', () => {
    expect(parseReceipt('id:1 stat:Delivered')?.stat).toBe('DELIVRD');
    expect(parseReceipt('id:1 stat:acked')?.stat).toBe('ACKED');
  });

  it('keeps key-like words inside the text field as text', () => {
    expect(parseReceipt('id:9 stat:DELIVRD err:000 text:stat:FAKE id:1 err:9')).toMatchObject({
      id: '9',
      stat: 'DELIVRD',
      err: '000',
      text: 'stat:FAKE id:1 err:9',
    });
  });

  it('drops dates that are not real instants instead of rolling them over', () => {
    const receipt = parseReceipt('id:1 submit date:2413011200 done date:24010112 stat:DELIVRD');
    expect(receipt).toEqual({ id: '1', stat: 'DELIVRD' });
  });

  it('reads four-digit years when an SMSC sends them', () => {
    expect(parseReceipt('id:1 done date:20240521153012 stat:DELIVRD')?.doneDate).toEqual(
      new Date(Date.UTC(2024, 4, 21, 15, 30, 12)),
    );
  });

  it('returns undefined for text that is not a receipt', () => {
    expect(parseReceipt('Hello, your code is 123456')).toBeUndefined();
    expect(parseReceipt('')).toBeUndefined();
  });
});
