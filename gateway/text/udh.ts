// User Data Header (3GPP TS 23.040 9.2.3.24): the length-prefixed IE list before the text.
import { ConcatRangeError, MalformedUdhError } from './errors';

export interface UdhElement {
  iei: number;
  data: Buffer;
}

export interface SplitUdh {
  elements: UdhElement[];
  payload: Buffer;
}

export const IEI_CONCAT_8BIT = 0x00;
export const IEI_CONCAT_16BIT = 0x08;

/** Splits short_message (esm_class UDHI set) into header elements and payload; views, not copies. */
export function splitUdh(bytes: Buffer): SplitUdh {
  const udhl = bytes[0];
  if (udhl === undefined) throw new MalformedUdhError('UDHI set but short_message is empty');
  const end = 1 + udhl;
  if (end > bytes.length) {
    throw new MalformedUdhError(`UDHL ${udhl} overruns short_message of ${bytes.length} bytes`);
  }
  const elements: UdhElement[] = [];
  let at = 1;
  while (at < end) {
    const iei = bytes[at] ?? 0;
    if (at + 2 > end) {
      throw new MalformedUdhError(`IE 0x${iei.toString(16)} at ${at} has no length byte inside the UDH`);
    }
    const length = bytes[at + 1] ?? 0;
    const dataEnd = at + 2 + length;
    if (dataEnd > end) {
      throw new MalformedUdhError(`IE 0x${iei.toString(16)} of ${length} bytes overruns the UDH`);
    }
    elements.push({ iei, data: bytes.subarray(at + 2, dataEnd) });
    at = dataEnd;
  }
  return { elements, payload: bytes.subarray(end) };
}

export interface ConcatInfo {
  ref: number;
  total: number;
  seq: number;
  refBits: 8 | 16;
}

function readConcat(element: UdhElement): ConcatInfo | undefined {
  const { iei, data } = element;
  if (iei === IEI_CONCAT_8BIT && data.length === 3) {
    return { ref: data[0] ?? 0, total: data[1] ?? 0, seq: data[2] ?? 0, refBits: 8 };
  }
  if (iei === IEI_CONCAT_16BIT && data.length === 4) {
    return { ref: data.readUInt16BE(0), total: data[2] ?? 0, seq: data[3] ?? 0, refBits: 16 };
  }
  return undefined;
}

/** Concatenation info from IEI 0x00 or 0x08; undefined when absent or not a usable part number. */
export function concatInfo(elements: readonly UdhElement[]): ConcatInfo | undefined {
  let found: ConcatInfo | undefined;
  // 23.040: when a non-repeatable IE occurs more than once, the last occurrence wins.
  for (const element of elements) found = readConcat(element) ?? found;
  if (!found) return undefined;
  const { total, seq } = found;
  if (total === 0 || seq === 0 || seq > total) return undefined;
  return found;
}

/** Builds a UDH holding only a concatenation IE. `ref` is taken modulo 2^refBits. */
export function buildConcatUdh(ref: number, total: number, seq: number, refBits: 8 | 16 = 8): Buffer {
  if (!Number.isInteger(ref) || ref < 0) {
    throw new ConcatRangeError(`ref must be a non-negative integer, got ${ref}`);
  }
  if (!Number.isInteger(total) || total < 1 || total > 255) {
    throw new ConcatRangeError(`total must be 1..255, got ${total}`);
  }
  if (!Number.isInteger(seq) || seq < 1 || seq > total) {
    throw new ConcatRangeError(`seq must be 1..${total}, got ${seq}`);
  }
  // Refs come from rolling counters, so wrapping is the expected behaviour, not an error.
  if (refBits === 16) {
    const r = ref & 0xffff;
    return Buffer.from([0x06, IEI_CONCAT_16BIT, 0x04, r >> 8, r & 0xff, total, seq]);
  }
  return Buffer.from([0x05, IEI_CONCAT_8BIT, 0x03, ref & 0xff, total, seq]);
}
