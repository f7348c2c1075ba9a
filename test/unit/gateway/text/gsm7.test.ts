import { describe, it, expect } from 'vitest';
import { decodeGsm7, encodeGsm7, gsm7Septets, isGsm7, UnencodableTextError } from '../../../../gateway/text';
import { caught } from './caught';

const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅå' +
  'Δ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ' +
  ' !"#¤%&\'()*+,-./' +
  '0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNO' +
  'PQRSTUVWXYZÄÖÑÜ§' +
  '¿abcdefghijklmno' +
  'pqrstuvwxyzäöñüà';

const EXTENSION: [string, number][] = [
  ['€', 0x65], ['{', 0x28], ['}', 0x29], ['[', 0x3c], [']', 0x3e],
  ['~', 0x3d], ['\\', 0x2f], ['|', 0x40], ['^', 0x14], ['\f', 0x0a],
];

describe('GSM 03.38 unpacked', () => {
  it('encodes every basic-table character to its own septet and decodes it back', () => {
    const chars = Array.from(BASIC);
    expect(chars).toHaveLength(128);
    chars.forEach((char, septet) => {
      if (septet === 0x1b) return; // ESC is a switch, not a character
      expect(encodeGsm7(char)).toEqual(Buffer.from([septet]));
      expect(decodeGsm7(Buffer.from([septet]))).toBe(char);
    });
  });

  it('encodes every extension character as ESC plus its code and decodes it back', () => {
    for (const [char, code] of EXTENSION) {
      expect(encodeGsm7(char)).toEqual(Buffer.from([0x1b, code]));
      expect(decodeGsm7(Buffer.from([0x1b, code]))).toBe(char);
    }
  });

  it('round-trips the whole alphabet in one string', () => {
    const all = Array.from(BASIC).filter((c) => c !== '\u001b').join('') + EXTENSION.map(([c]) => c).join('');
    expect(decodeGsm7(encodeGsm7(all))).toBe(all);
    expect(gsm7Septets(all)).toBe(127 + 2 * EXTENSION.length);
  });

  it('places the table positions that differ from ASCII where 03.38 puts them', () => {
    expect(encodeGsm7('@£$¤¡¿ñàé')).toEqual(Buffer.from([0x00, 0x01, 0x02, 0x24, 0x40, 0x60, 0x7d, 0x7f, 0x05]));
    expect(decodeGsm7(Buffer.from([0x10])).codePointAt(0)).toBe(0x0394); // Greek Delta, not U+2206
    expect(decodeGsm7(Buffer.from([0x15])).codePointAt(0)).toBe(0x03a9); // Greek Omega, not the ohm sign
  });

  it('encodes @ as 0x00 and keeps it through a round trip, even at the ends', () => {
    expect(encodeGsm7('@')).toEqual(Buffer.from([0x00]));
    expect(encodeGsm7('a@b')).toEqual(Buffer.from([0x61, 0x00, 0x62]));
    expect(decodeGsm7(encodeGsm7('@start and end@'))).toBe('@start and end@');
  });

  it('counts the euro sign as two septets', () => {
    expect(gsm7Septets('€')).toBe(2);
    expect(gsm7Septets('5€ [ok]')).toBe(10);
  });

  it('says whether text fits the alphabet, judging whole code points', () => {
    expect(isGsm7('Code 123456 @ 5€ [ok] {x} ~|^\\')).toBe(true);
    expect(isGsm7('')).toBe(true);
    expect(isGsm7('ç')).toBe(false); // only capital Ç is in the table
    expect(isGsm7('Ваш код')).toBe(false);
    expect(isGsm7('ok 😀')).toBe(false);
    expect(isGsm7('\u001b')).toBe(false);
  });

  it('rejects unencodable text with a typed error naming the first bad character', () => {
    const error = caught(() => encodeGsm7('ab😀cд'));
    expect(error).toBeInstanceOf(UnencodableTextError);
    const typed = error as UnencodableTextError;
    expect(typed.code).toBe('UNENCODABLE_TEXT');
    expect(typed.name).toBe('UnencodableTextError');
    expect(typed.character).toBe('😀');
    expect(typed.offset).toBe(2);
  });

  it('decodes an unknown escape sequence as the basic-table character', () => {
    expect(decodeGsm7(Buffer.from([0x41, 0x1b, 0x42, 0x43]))).toBe('ABC');
  });

  it('decodes ESC ESC as a space, as 03.38 asks until a second table exists', () => {
    expect(decodeGsm7(Buffer.from([0x61, 0x1b, 0x1b, 0x62]))).toBe('a b');
  });

  it('drops a lone trailing ESC', () => {
    expect(decodeGsm7(Buffer.from([0x6f, 0x6b, 0x1b]))).toBe('ok');
  });

  it('masks bytes above 0x7F to seven bits', () => {
    expect(decodeGsm7(Buffer.from([0xc1, 0x80, 0x9b, 0x65]))).toBe('A@€');
  });

  it('decodes an empty buffer to an empty string', () => {
    expect(decodeGsm7(Buffer.alloc(0))).toBe('');
    expect(encodeGsm7('')).toEqual(Buffer.alloc(0));
  });
});
