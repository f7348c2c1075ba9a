import { describe, it, expect } from 'vitest';
import { DataCoding, decodeText, encodeText } from '../../../../gateway/text';

const ucs2 = (hex: string): Buffer => Buffer.from(hex.replace(/\s/g, ''), 'hex');

describe('decodeText', () => {
  it('reads data_coding 0 as unpacked GSM 03.38', () => {
    expect(decodeText(Buffer.from([0x00, 0x20, 0x1b, 0x65, 0x20, 0x05]), DataCoding.GSM7)).toBe('@ € é');
  });

  it('reads data_coding 1 as 7-bit ASCII', () => {
    expect(decodeText(Buffer.from('Hi @home', 'ascii'), DataCoding.IA5)).toBe('Hi @home');
    expect(decodeText(Buffer.from([0xc8, 0x69]), DataCoding.IA5)).toBe('Hi');
  });

  it('reads data_coding 3 as Latin-1', () => {
    expect(decodeText(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xa3]), DataCoding.LATIN1)).toBe('café £');
  });

  it('reads data_coding 8 as big-endian UCS-2', () => {
    expect(decodeText(ucs2('0412 0430 0448 0020 043a 043e 0434'), DataCoding.UCS2)).toBe('Ваш код');
  });

  it('joins UTF-16 surrogate pairs into one emoji', () => {
    const text = decodeText(ucs2('004f 006b 0020 d83d de00'), DataCoding.UCS2);
    expect(text).toBe('Ok 😀');
    expect(text.codePointAt(3)).toBe(0x1f600);
  });

  it('ignores an odd trailing byte in UCS-2', () => {
    expect(decodeText(ucs2('0048 0069 00'), DataCoding.UCS2)).toBe('Hi');
  });

  it('returns 8-bit binary data as uppercase hex', () => {
    expect(decodeText(Buffer.from([0x0b, 0x05, 0xfe, 0x00]), DataCoding.BINARY)).toBe('0B05FE00');
    expect(decodeText(Buffer.from([0xab, 0xcd]), DataCoding.BINARY_8BIT)).toBe('ABCD');
  });

  it('reads GSM message-class codings 0xF0..0xF3 as GSM 7-bit', () => {
    for (const dc of [0xf0, 0xf1, 0xf2, 0xf3]) {
      expect(decodeText(Buffer.from([0x4f, 0x4b, 0x1b, 0x65]), dc)).toBe('OK€');
    }
  });

  it('reads message-class codings with bit 2 set (0xF4..0xF7) as 8-bit data', () => {
    expect(decodeText(Buffer.from([0x01, 0xff]), 0xf5)).toBe('01FF');
  });

  it('reads general-group class codings (flash 0x10, 0x18) by their alphabet bits', () => {
    expect(decodeText(Buffer.from([0x4f, 0x4b]), 0x10)).toBe('OK');
    expect(decodeText(ucs2('041a 043e 0434'), 0x18)).toBe('Код');
    expect(decodeText(Buffer.from([0x01, 0x02]), 0x14)).toBe('0102');
  });

  it('reads data_coding 6 as ISO-8859-5 (Cyrillic) and 7 as ISO-8859-8 (Hebrew)', () => {
    expect(decodeText(Buffer.from([0x41, 0xe9]), 0x06)).toBe('Aщ');
    expect(decodeText(Buffer.from([0x41, 0xe9]), 0x07)).toBe('Aי');
  });

  it('falls back to Latin-1 for schemes it does not know', () => {
    expect(decodeText(Buffer.from([0x41, 0xe9]), 0x05)).toBe('Aé');
    expect(decodeText(Buffer.from([0x41, 0xe9]), 0x0e)).toBe('Aé');
  });
});

describe('encodeText', () => {
  it('picks GSM 7-bit when every character is in the alphabet', () => {
    const encoded = encodeText('Your code: 123456 €');
    expect(encoded.dataCoding).toBe(0);
    expect(encoded.bytes).toHaveLength(20);
  });

  it('picks UCS-2 for Cyrillic', () => {
    const encoded = encodeText('Ваш код: 654321');
    expect(encoded.dataCoding).toBe(8);
    expect(encoded.bytes.toString('hex')).toBe('0412043004480020043a043e0434003a0020003600350034003300320031');
  });

  it('keeps surrogate pairs as two big-endian units in UCS-2', () => {
    expect(encodeText('😀').bytes).toEqual(ucs2('d83d de00'));
  });

  it('uses Latin-1 only when allowed and every character fits it', () => {
    expect(encodeText('ç', { allowLatin1: true })).toEqual({ dataCoding: 3, bytes: Buffer.from([0xe7]) });
    expect(encodeText('ç').dataCoding).toBe(8);
    expect(encodeText('ç Ж', { allowLatin1: true }).dataCoding).toBe(8);
  });

  it('still prefers GSM over Latin-1 when both would work', () => {
    expect(encodeText('café', { allowLatin1: true }).dataCoding).toBe(0);
  });

  it('round-trips through decodeText with the chosen data_coding', () => {
    for (const text of ['Hello @ world {}', 'Ваш код: 654321', 'Ok 👍🏽 done', 'Ünïcödé ç']) {
      const { dataCoding, bytes } = encodeText(text, { allowLatin1: true });
      expect(decodeText(bytes, dataCoding)).toBe(text);
    }
  });
});
