// Splitting text into SMPP submit_sm parts (concatenated SMS) or one message_payload.
import { DataCoding, encodeUcs2 } from './data-coding';
import { encodeGsm7, gsm7CharSeptets, isGsm7 } from './gsm7';
import { buildConcatUdh } from './udh';
import { MessageTooLongError } from './errors';

export type TextEncoding = 'gsm7' | 'ucs2';

export interface SegmentOptions {
  /** 'udh': concatenated parts; 'payload': whole text in the message_payload TLV. */
  method: 'udh' | 'payload';
  /** Concatenation reference shared by all parts; wrapped to refBits. */
  ref: number;
  refBits?: 8 | 16;
  forceUcs2?: boolean;
}

export interface SegmentPart {
  shortMessage: Buffer;
  /** Set esm_class UDHI (0x40) when sending this part. */
  esmClassUdhi: boolean;
}

export interface SegmentedText {
  dataCoding: 0 | 8;
  parts: SegmentPart[];
  messagePayload?: Buffer;
}

export interface PartCount {
  encoding: TextEncoding;
  parts: number;
  /** Septets for GSM 7-bit, UTF-16 code units for UCS-2. */
  units: number;
}

// Units per part. A UDH of 6 (8-bit ref) or 7 (16-bit ref) octets costs 7 or 8 septets out
// of 160, or 3 or 4 UCS-2 units out of 70 (7 octets leave 133, rounded down to whole units).
const LIMITS = {
  gsm7: { single: 160, ref8: 153, ref16: 152 },
  ucs2: { single: 70, ref8: 67, ref16: 66 },
} as const;

const MAX_PARTS = 255;
const MAX_PAYLOAD_BYTES = 0xffff;

function pickEncoding(text: string, forceUcs2 = false): TextEncoding {
  return !forceUcs2 && isGsm7(text) ? 'gsm7' : 'ucs2';
}

function unitsOf(char: string, encoding: TextEncoding): number {
  // Per code point, so an escape pair or surrogate pair is one indivisible item.
  return encoding === 'gsm7' ? (gsm7CharSeptets(char) ?? 1) : char.length;
}

/** Greedily fills parts of `perPart` units without splitting any character. */
function chunk(text: string, encoding: TextEncoding, perPart: number): string[] {
  const chunks: string[] = [];
  let current = '';
  let used = 0;
  for (const char of text) {
    const units = unitsOf(char, encoding);
    if (used + units > perPart) {
      chunks.push(current);
      current = '';
      used = 0;
    }
    current += char;
    used += units;
  }
  chunks.push(current);
  return chunks;
}

function totalUnits(text: string, encoding: TextEncoding): number {
  let units = 0;
  for (const char of text) units += unitsOf(char, encoding);
  return units;
}

function split(text: string, encoding: TextEncoding, refBits: 8 | 16): string[] {
  const limits = LIMITS[encoding];
  if (totalUnits(text, encoding) <= limits.single) return [text];
  return chunk(text, encoding, refBits === 16 ? limits.ref16 : limits.ref8);
}

function encode(text: string, encoding: TextEncoding): Buffer {
  return encoding === 'gsm7' ? encodeGsm7(text) : encodeUcs2(text);
}

export function countParts(text: string, options: { refBits?: 8 | 16; forceUcs2?: boolean } = {}): PartCount {
  const encoding = pickEncoding(text, options.forceUcs2);
  return {
    encoding,
    parts: split(text, encoding, options.refBits ?? 8).length,
    units: totalUnits(text, encoding),
  };
}

export function segmentText(text: string, options: SegmentOptions): SegmentedText {
  const encoding = pickEncoding(text, options.forceUcs2);
  const dataCoding = encoding === 'gsm7' ? DataCoding.GSM7 : DataCoding.UCS2;

  if (options.method === 'payload') {
    const messagePayload = encode(text, encoding);
    if (messagePayload.length > MAX_PAYLOAD_BYTES) {
      throw new MessageTooLongError(`${messagePayload.length} bytes exceed the message_payload limit`);
    }
    // SMPP requires sm_length 0 when message_payload carries the text.
    return { dataCoding, parts: [{ shortMessage: Buffer.alloc(0), esmClassUdhi: false }], messagePayload };
  }

  const refBits = options.refBits ?? 8;
  const chunks = split(text, encoding, refBits);
  if (chunks.length === 1) {
    return { dataCoding, parts: [{ shortMessage: encode(text, encoding), esmClassUdhi: false }] };
  }
  if (chunks.length > MAX_PARTS) {
    throw new MessageTooLongError(`${chunks.length} parts exceed the ${MAX_PARTS}-part limit`);
  }
  const parts = chunks.map((piece, index) => ({
    shortMessage: Buffer.concat([
      buildConcatUdh(options.ref, chunks.length, index + 1, refBits),
      encode(piece, encoding),
    ]),
    esmClassUdhi: true,
  }));
  return { dataCoding, parts };
}
