import { randomFillSync } from 'node:crypto';

/** Ids are drawn from a pool refilled 4 KiB at a time: one fill serves hundreds of ids, not one each. */
const randomPool = Buffer.alloc(4096);
let randomOffset = randomPool.length;

function randomHex(bytes: number): string {
  if (randomOffset + bytes > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  randomOffset += bytes;
  return randomPool.toString('hex', randomOffset - bytes, randomOffset);
}

/** A whole message's id, Twilio style: `SM` and 32 hex digits. */
export function newMessageSid(): string {
  return `SM${randomHex(16)}`;
}

/** A part's SMPP message id: 16 hex digits. */
export function newPartId(): string {
  return randomHex(8);
}
