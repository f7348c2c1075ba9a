// GSM 03.38 packed septets (8 septets in 7 octets), as used on the air interface and by some SMSCs.
import { decodeGsm7, encodeGsm7 } from './gsm7';
import { InvalidPackingError } from './errors';

function checkPadding(paddingBits: number): void {
  // Fill bits after a UDH are at most 6: a 7th would already be a whole septet.
  if (!Number.isInteger(paddingBits) || paddingBits < 0 || paddingBits > 6) {
    throw new InvalidPackingError(`paddingBits must be an integer 0..6, got ${paddingBits}`);
  }
}

/** Packs septet values LSB first, starting after `paddingBits` fill bits. */
export function packSeptets(septets: Buffer, paddingBits = 0): Buffer {
  checkPadding(paddingBits);
  const out = Buffer.alloc(Math.ceil((paddingBits + septets.length * 7) / 8));
  let bit = paddingBits;
  for (const value of septets) {
    const septet = value & 0x7f;
    const byte = bit >> 3;
    const shift = bit & 7;
    out[byte] = (out[byte] ?? 0) | ((septet << shift) & 0xff);
    // A septet crossing an octet boundary spills its high bits into the next octet.
    if (shift > 1) out[byte + 1] = (out[byte + 1] ?? 0) | (septet >> (8 - shift));
    bit += 7;
  }
  return out;
}

/** Unpacks `septetCount` septets; throws InvalidPackingError if `bytes` is too short. */
export function unpackSeptets(bytes: Buffer, septetCount: number, paddingBits = 0): Buffer {
  checkPadding(paddingBits);
  if (!Number.isInteger(septetCount) || septetCount < 0) {
    throw new InvalidPackingError(`septetCount must be a non-negative integer, got ${septetCount}`);
  }
  const needed = Math.ceil((paddingBits + septetCount * 7) / 8);
  if (bytes.length < needed) {
    throw new InvalidPackingError(`${septetCount} septets need ${needed} octets, got ${bytes.length}`);
  }
  const out = Buffer.alloc(septetCount);
  let bit = paddingBits;
  for (let i = 0; i < septetCount; i++) {
    const byte = bit >> 3;
    const shift = bit & 7;
    const pair = (bytes[byte] ?? 0) | ((bytes[byte + 1] ?? 0) << 8);
    out[i] = (pair >> shift) & 0x7f;
    bit += 7;
  }
  return out;
}

export function encodeGsm7Packed(text: string, paddingBits = 0): Buffer {
  return packSeptets(encodeGsm7(text), paddingBits);
}

export function decodeGsm7Packed(bytes: Buffer, septetCount: number, paddingBits = 0): string {
  return decodeGsm7(unpackSeptets(bytes, septetCount, paddingBits));
}
