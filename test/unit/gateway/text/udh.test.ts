import { describe, it, expect } from 'vitest';
import { buildConcatUdh, concatInfo, ConcatRangeError, MalformedUdhError, splitUdh } from '../../../../gateway/text';
import { caught } from './caught';

const hex = (value: string): Buffer => Buffer.from(value.replace(/\s/g, ''), 'hex');

describe('splitUdh', () => {
  it('separates an 8-bit concatenation header from the payload', () => {
    const { elements, payload } = splitUdh(hex('05 00 03 2a 03 01 48 69'));
    expect(elements).toEqual([{ iei: 0x00, data: hex('2a 03 01') }]);
    expect(payload).toEqual(Buffer.from('Hi'));
  });

  it('reads several information elements in order', () => {
    const { elements, payload } = splitUdh(hex('0a 08 04 12 34 02 01 05 02 c3 50 ff'));
    expect(elements.map((e) => e.iei)).toEqual([0x08, 0x05]);
    expect(elements[1]?.data).toEqual(hex('c3 50'));
    expect(payload).toEqual(hex('ff'));
  });

  it('accepts an empty header and an empty payload', () => {
    expect(splitUdh(hex('00 41'))).toEqual({ elements: [], payload: hex('41') });
    expect(splitUdh(hex('03 00 01 07'))).toEqual({ elements: [{ iei: 0, data: hex('07') }], payload: Buffer.alloc(0) });
  });

  it('rejects a UDHL that runs past the message', () => {
    expect(() => splitUdh(hex('05 00 03 01'))).toThrow(MalformedUdhError);
    expect(() => splitUdh(Buffer.alloc(0))).toThrow(MalformedUdhError);
  });

  it('rejects an element that runs past the header', () => {
    expect(() => splitUdh(hex('04 00 03 01 02 41 42'))).toThrow(MalformedUdhError);
    expect(() => splitUdh(hex('01 00 41'))).toThrow(MalformedUdhError);
    const error = caught(() => splitUdh(hex('04 00 05 01 02 41')));
    expect(error).toBeInstanceOf(MalformedUdhError);
    expect((error as MalformedUdhError).code).toBe('MALFORMED_UDH');
  });
});

describe('concatInfo', () => {
  it('reads IEI 0x00 with an 8-bit reference', () => {
    expect(concatInfo(splitUdh(hex('05 00 03 02 02 01')).elements)).toEqual({ ref: 2, total: 2, seq: 1, refBits: 8 });
  });

  it('reads IEI 0x08 with a 16-bit reference', () => {
    expect(concatInfo(splitUdh(hex('06 08 04 12 34 03 02')).elements)).toEqual({ ref: 0x1234, total: 3, seq: 2, refBits: 16 });
  });

  it('ignores headers without a concatenation element', () => {
    expect(concatInfo(splitUdh(hex('04 05 02 c3 50')).elements)).toBeUndefined();
    expect(concatInfo([])).toBeUndefined();
  });

  it('returns undefined for total 0, seq 0 or seq beyond total', () => {
    expect(concatInfo([{ iei: 0, data: hex('01 00 00') }])).toBeUndefined();
    expect(concatInfo([{ iei: 0, data: hex('01 02 00') }])).toBeUndefined();
    expect(concatInfo([{ iei: 0, data: hex('01 02 03') }])).toBeUndefined();
    expect(concatInfo([{ iei: 8, data: hex('00 01 02 03') }])).toBeUndefined();
  });

  it('ignores a concatenation element of the wrong length', () => {
    expect(concatInfo([{ iei: 0, data: hex('01 02') }])).toBeUndefined();
  });
});

describe('buildConcatUdh', () => {
  it('builds 05 00 03 ref total seq for an 8-bit reference', () => {
    expect(buildConcatUdh(0x2a, 3, 1, 8)).toEqual(hex('05 00 03 2a 03 01'));
  });

  it('builds 06 08 04 refHi refLo total seq for a 16-bit reference', () => {
    expect(buildConcatUdh(0xbeef, 2, 2, 16)).toEqual(hex('06 08 04 be ef 02 02'));
  });

  it('wraps the reference to its width, as a rolling counter would', () => {
    expect(buildConcatUdh(0x1ff, 2, 1, 8)).toEqual(hex('05 00 03 ff 02 01'));
    expect(buildConcatUdh(0x10001, 2, 1, 16)).toEqual(hex('06 08 04 00 01 02 01'));
  });

  it('round-trips through splitUdh and concatInfo', () => {
    const udh = buildConcatUdh(77, 5, 4, 16);
    expect(concatInfo(splitUdh(udh).elements)).toEqual({ ref: 77, total: 5, seq: 4, refBits: 16 });
  });

  it('rejects part numbers that no handset could reassemble', () => {
    expect(() => buildConcatUdh(1, 0, 1, 8)).toThrow(ConcatRangeError);
    expect(() => buildConcatUdh(1, 2, 3, 8)).toThrow(ConcatRangeError);
    expect(() => buildConcatUdh(1, 256, 1, 8)).toThrow(ConcatRangeError);
    expect(() => buildConcatUdh(-1, 2, 1, 8)).toThrow(ConcatRangeError);
  });
});
