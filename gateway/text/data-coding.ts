// SMPP data_coding: turning short_message bytes into text and back.
import { decodeGsm7, encodeGsm7, isGsm7 } from './gsm7';

export const DataCoding = {
  GSM7: 0,
  IA5: 1,
  BINARY: 2,
  LATIN1: 3,
  BINARY_8BIT: 4,
  CYRILLIC: 6,
  LATIN_HEBREW: 7,
  UCS2: 8,
} as const;

type Alphabet = 'gsm7' | 'ia5' | 'latin1' | 'binary' | 'ucs2' | 'cyrillic' | 'hebrew';

/** SMPP 3.4 §5.2.19: 6 is ISO-8859-5, 7 is ISO-8859-8 (one byte per character, like Latin-1). */
const cyrillic = new TextDecoder('iso-8859-5');
const hebrew = new TextDecoder('iso-8859-8');

function alphabetOf(dataCoding: number): Alphabet {
  switch (dataCoding) {
    case DataCoding.GSM7: return 'gsm7';
    case DataCoding.IA5: return 'ia5';
    case DataCoding.LATIN1: return 'latin1';
    case DataCoding.BINARY:
    case DataCoding.BINARY_8BIT: return 'binary';
    case DataCoding.UCS2: return 'ucs2';
    case DataCoding.CYRILLIC: return 'cyrillic';
    case DataCoding.LATIN_HEBREW: return 'hebrew';
  }
  // GSM 03.38 group 1111: data coding / message class; bit 2 picks 8-bit data over 7-bit.
  if ((dataCoding & 0xf0) === 0xf0) return dataCoding & 0x04 ? 'binary' : 'gsm7';
  // GSM 03.38 group 0001: uncompressed with message class (e.g. 0x10, 0x18 for flash SMS);
  // bits 3-2 pick the alphabet. SMPP leaves these values open, SMSCs send them anyway.
  if ((dataCoding & 0xf0) === 0x10) {
    const bits = (dataCoding >> 2) & 0x03;
    if (bits === 0) return 'gsm7';
    if (bits === 1) return 'binary';
    if (bits === 2) return 'ucs2';
  }
  // Latin-1 maps every byte to some character, so unknown schemes still decode.
  return 'latin1';
}

export function decodeUcs2(bytes: Buffer): string {
  // Big-endian on the wire; a dangling odd byte is half a unit and is dropped.
  const swapped = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)));
  return swapped.swap16().toString('utf16le');
}

export function encodeUcs2(text: string): Buffer {
  // Node writes UTF-16 code units as-is, so surrogate pairs survive as two units.
  return Buffer.from(text, 'utf16le').swap16();
}

function decodeIa5(bytes: Buffer): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte & 0x7f);
  return text;
}

export function decodeText(bytes: Buffer, dataCoding: number): string {
  switch (alphabetOf(dataCoding)) {
    case 'gsm7': return decodeGsm7(bytes);
    case 'ia5': return decodeIa5(bytes);
    case 'ucs2': return decodeUcs2(bytes);
    // Binary payloads have no text; hex keeps them loggable and lossless.
    case 'binary': return bytes.toString('hex').toUpperCase();
    case 'latin1': return bytes.toString('latin1');
    case 'cyrillic': return cyrillic.decode(bytes);
    case 'hebrew': return hebrew.decode(bytes);
  }
}

export interface EncodeTextOptions {
  /** Allow data_coding 3 for text outside GSM but within Latin-1 (not all SMSCs support it). */
  allowLatin1?: boolean;
}

export interface EncodedText {
  dataCoding: 0 | 3 | 8;
  bytes: Buffer;
}

function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0xff) return false;
  }
  return true;
}

/** Picks the most compact scheme: GSM 7-bit, then (if allowed) Latin-1, else UCS-2. */
export function encodeText(text: string, options: EncodeTextOptions = {}): EncodedText {
  if (isGsm7(text)) return { dataCoding: DataCoding.GSM7, bytes: encodeGsm7(text) };
  if (options.allowLatin1 && isLatin1(text)) {
    return { dataCoding: DataCoding.LATIN1, bytes: Buffer.from(text, 'latin1') };
  }
  return { dataCoding: DataCoding.UCS2, bytes: encodeUcs2(text) };
}
