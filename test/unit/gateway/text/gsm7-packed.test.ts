import { describe, it, expect } from 'vitest';
import { decodeGsm7Packed, encodeGsm7Packed, gsm7Septets, InvalidPackingError } from '../../../../gateway/text';

describe('GSM 03.38 packed septets', () => {
  it('packs "hellohello" into the well-known nine octets', () => {
    expect(encodeGsm7Packed('hellohello').toString('hex').toUpperCase()).toBe('E8329BFD4697D9EC37');
  });

  it('unpacks those octets back to the text given the septet count', () => {
    expect(decodeGsm7Packed(Buffer.from('E8329BFD4697D9EC37', 'hex'), 10)).toBe('hellohello');
  });

  it('fits eight septets into seven octets', () => {
    const packed = encodeGsm7Packed('12345678');
    expect(packed).toHaveLength(7);
    expect(decodeGsm7Packed(packed, 8)).toBe('12345678');
  });

  it('starts after the fill bits that align text behind a UDH', () => {
    expect(encodeGsm7Packed('A', 1)).toEqual(Buffer.from([0x82]));
    const text = 'Long text after a 6-octet UDH, with € and [brackets]';
    const packed = encodeGsm7Packed(text, 1);
    const septets = gsm7Septets(text);
    expect(septets).toBe(55);
    expect(packed).toHaveLength(Math.ceil((1 + septets * 7) / 8));
    expect(decodeGsm7Packed(packed, septets, 1)).toBe(text);
  });

  it('round-trips extension characters, which take two septets', () => {
    expect(decodeGsm7Packed(encodeGsm7Packed('{€}'), 6)).toBe('{€}');
  });

  it('rejects input too short for the septet count', () => {
    expect(() => decodeGsm7Packed(Buffer.from([0xe8, 0x32]), 5)).toThrow(InvalidPackingError);
  });

  it('rejects fill bits outside 0..6', () => {
    expect(() => encodeGsm7Packed('x', 7)).toThrow(InvalidPackingError);
  });
});
