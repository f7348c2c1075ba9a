/**
 * How an SMSC writes its message ids, per link, as Kannel's `msg-id-type`:
 * `string` (the default) compares ids as text; 0–3 say which side is
 * decimal and which hexadecimal (bit 0: submit_sm_resp is hex, bit 1: the
 * receipt is hex). Matching never tries another base than the one set: a
 * guess can put one message's receipt on another's.
 */
export type MessageIdType = 'string' | 0 | 1 | 2 | 3;

export const MESSAGE_ID_TYPES: readonly MessageIdType[] = ['string', 0, 1, 2, 3];

type Base = 'string' | 'dec' | 'hex';

function baseOf(type: MessageIdType, side: 'submit' | 'receipt'): Base {
  if (type === 'string') return 'string';
  const hexBit = side === 'submit' ? 1 : 2;
  return (type & hexBit) !== 0 ? 'hex' : 'dec';
}

/** Text ids: trimmed, lower case, without leading zeros (`0000ABC` and `abc` are one id). */
function textKey(id: string): string {
  return id.trim().toLowerCase().replace(/^0+(?=.)/, '');
}

/**
 * The key a message id is stored and matched under. Numeric ids become their
 * decimal value, so padding and the base they were written in no longer
 * matter; an id that is not a number in its declared base keeps its text key.
 */
export function messageIdKey(id: string, type: MessageIdType, side: 'submit' | 'receipt'): string {
  const trimmed = id.trim();
  const base = baseOf(type, side);
  if (base === 'dec' && /^\d{1,40}$/.test(trimmed)) return BigInt(trimmed).toString(10);
  if (base === 'hex' && /^[0-9a-f]{1,32}$/i.test(trimmed)) return BigInt(`0x${trimmed}`).toString(10);
  return textKey(trimmed);
}

export function parseMessageIdType(raw: string): MessageIdType | undefined {
  if (raw === 'string') return 'string';
  return /^[0-3]$/.test(raw) ? (Number(raw) as 0 | 1 | 2 | 3) : undefined;
}
