/** Type of number (SMPP TON) for alphanumeric senders, which are kept as written. */
const TON_ALPHANUMERIC = 5;

/**
 * One spelling per phone number, so '+4915…', '4915…' sent with TON 1 and
 * '004915…' all reach the same handset: '+' and digits. Alphanumeric and
 * other non-numeric addresses are kept as given.
 */
export function normaliseAddress(address: string, ton = 0): string {
  const trimmed = address.trim();
  if (ton === TON_ALPHANUMERIC) return trimmed;
  const compact = trimmed.replace(/[\s\-().]/g, '');
  const match = /^(?:\+|00)?(\d{1,20})$/.exec(compact);
  return match ? `+${match[1]}` : trimmed;
}

/** A handset number in a URL or frame: E.164 with '+' optional. */
export function parseHandsetNumber(raw: string): string | undefined {
  const match = /^\+?(\d{3,15})$/.exec(decodeURIComponent(raw).trim());
  return match ? `+${match[1]}` : undefined;
}

/** An address without its leading '+', as SMPP carries numbers. */
export function withoutPlus(address: string): string {
  return address.startsWith('+') ? address.slice(1) : address;
}
