// GSM 03.38 default alphabet, unpacked: one septet per byte, as SMPP carries it with data_coding 0.
import { GSM7_BASIC, GSM7_BASIC_CODES, GSM7_ESCAPE, GSM7_EXTENSION, GSM7_EXTENSION_CODES } from './gsm7-alphabet';
import { UnencodableTextError } from './errors';

/** Septets one code point takes: 1 (basic), 2 (ESC + extension) or undefined when unencodable. */
export function gsm7CharSeptets(char: string): 1 | 2 | undefined {
  if (GSM7_BASIC_CODES.has(char)) return 1;
  if (GSM7_EXTENSION_CODES.has(char)) return 2;
  return undefined;
}

export function isGsm7(text: string): boolean {
  for (const char of text) {
    if (gsm7CharSeptets(char) === undefined) return false;
  }
  return true;
}

/** Length in septets; extension characters count 2. Throws UnencodableTextError. */
export function gsm7Septets(text: string): number {
  let septets = 0;
  let offset = 0;
  for (const char of text) {
    const size = gsm7CharSeptets(char);
    if (size === undefined) throw new UnencodableTextError(char, offset);
    septets += size;
    offset += char.length;
  }
  return septets;
}

/** Encodes to unpacked septets. Throws UnencodableTextError naming the first bad character. */
export function encodeGsm7(text: string): Buffer {
  const fast = encodeBasicAscii(text);
  if (fast) return fast;
  const out = Buffer.alloc(gsm7Septets(text));
  let at = 0;
  for (const char of text) {
    const basic = GSM7_BASIC_CODES.get(char);
    if (basic !== undefined) {
      out[at++] = basic;
      continue;
    }
    // gsm7Septets already proved every character maps to one of the two tables.
    out[at++] = GSM7_ESCAPE;
    out[at++] = GSM7_EXTENSION_CODES.get(char) ?? 0;
  }
  return out;
}

/** The basic-table code of each ASCII character, -1 for those only the extension table (or nothing) has. */
const ASCII_BASIC = Int16Array.from({ length: 128 }, (_, code) => GSM7_BASIC_CODES.get(String.fromCharCode(code)) ?? -1);

/**
 * Text that is all ASCII in the basic table (receipts, most codes) in one
 * pass without map lookups; undefined as soon as a character is not.
 */
function encodeBasicAscii(text: string): Buffer | undefined {
  const out = Buffer.allocUnsafe(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const septet = code < 128 ? ASCII_BASIC[code]! : -1;
    if (septet < 0) return undefined;
    out[i] = septet;
  }
  return out;
}

/** Decodes unpacked septets. Never throws: SMSCs and handsets send sloppy data. */
export function decodeGsm7(bytes: Buffer): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    // Some senders set the 8th bit; only 7 carry meaning.
    const septet = (bytes[i] ?? 0) & 0x7f;
    if (septet !== GSM7_ESCAPE) {
      text += GSM7_BASIC[septet] ?? '';
      continue;
    }
    if (i + 1 >= bytes.length) break; // lone trailing ESC carries no character
    const next = (bytes[++i] ?? 0) & 0x7f;
    if (next === GSM7_ESCAPE) {
      // 03.38: ESC ESC is reserved for a further table; show a space until one exists.
      text += ' ';
      continue;
    }
    // 03.38: an unknown escape shows the basic-table character instead.
    text += GSM7_EXTENSION.get(next) ?? GSM7_BASIC[next] ?? '';
  }
  return text;
}
