import { randomHex } from '../gateway/random-hex';

/** A whole message's id, Twilio style: `SM` and 32 hex digits. */
export function newMessageSid(): string {
  return `SM${randomHex(16)}`;
}

/** A part's SMPP message id: 16 hex digits. */
export function newPartId(): string {
  return randomHex(8);
}
