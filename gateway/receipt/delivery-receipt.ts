// Delivery receipt text of SMPP 3.4 Appendix B, as carried in deliver_sm short_message.
import { normalizeStat } from './message-state';
import type { ReceiptStat } from './message-state';

export interface ReceiptFields {
  id: string;
  sub: number | string;
  dlvrd: number | string;
  submitDate: Date;
  doneDate: Date;
  stat: ReceiptStat | string;
  err: number | string;
  /** First 20 characters of the original message (truncated here). */
  text: string;
}

export interface ParsedReceipt {
  /** Message id exactly as the SMSC wrote it (hex or decimal; not converted). */
  id?: string;
  sub?: number;
  dlvrd?: number;
  submitDate?: Date;
  doneDate?: Date;
  /** Canonical 7-letter code when recognised, else the SMSC's value upper-cased. */
  stat?: string;
  /** Error code as written; its meaning is SMSC-specific. */
  err?: string;
  text?: string;
}

const pad = (value: number | string, width: number): string => String(value).padStart(width, '0');

/** YYMMDDhhmm in UTC: the spec leaves the zone open, UTC keeps both ends agreeing. */
function formatDate(date: Date): string {
  return (
    pad(date.getUTCFullYear() % 100, 2) +
    pad(date.getUTCMonth() + 1, 2) +
    pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) +
    pad(date.getUTCMinutes(), 2)
  );
}

export function formatReceipt(fields: ReceiptFields): string {
  const text = Array.from(fields.text).slice(0, 20).join('');
  return (
    `id:${fields.id} sub:${pad(fields.sub, 3)} dlvrd:${pad(fields.dlvrd, 3)} ` +
    `submit date:${formatDate(fields.submitDate)} done date:${formatDate(fields.doneDate)} ` +
    `stat:${fields.stat} err:${pad(fields.err, 3)} text:${text}`
  );
}

type FieldKey = 'id' | 'sub' | 'dlvrd' | 'submitDate' | 'doneDate' | 'stat' | 'err' | 'text';

// Keys as SMSCs write them: any case, `submit date` / `submit_date` / `submitdate`, spaces before ':'.
const KEY_PATTERN = /(?:^|\s)(id|sub|dlvrd|submit[\s_]*date|done[\s_]*date|stat|err|text)\s*:/gi;

function keyOf(raw: string): FieldKey {
  const key = raw.toLowerCase().replace(/[\s_]/g, '');
  if (key === 'submitdate') return 'submitDate';
  if (key === 'donedate') return 'doneDate';
  return key as FieldKey;
}

function rawFields(receipt: string): Map<FieldKey, string> {
  const found: { key: FieldKey; start: number; valueStart: number }[] = [];
  for (const match of receipt.matchAll(KEY_PATTERN)) {
    const key = keyOf(match[1] ?? '');
    found.push({ key, start: match.index, valueStart: match.index + match[0].length });
    // The text field runs to the end and may itself contain "key:" lookalikes.
    if (key === 'text') break;
  }
  const fields = new Map<FieldKey, string>();
  found.forEach((field, i) => {
    const end = found[i + 1]?.start ?? receipt.length;
    // First occurrence wins; a repeated key is more likely noise than a correction.
    if (!fields.has(field.key)) fields.set(field.key, receipt.slice(field.valueStart, end).trim());
  });
  return fields;
}

function firstToken(value: string | undefined): string | undefined {
  const token = value?.split(/\s+/)[0];
  return token ? token : undefined;
}

function parseCount(value: string | undefined): number | undefined {
  const token = firstToken(value);
  return token && /^\d+$/.test(token) ? Number.parseInt(token, 10) : undefined;
}

/** YYMMDDhhmm, YYMMDDhhmmss or YYYYMMDDhhmmss, read as UTC; undefined if not a real instant. */
function parseDate(value: string | undefined): Date | undefined {
  const token = firstToken(value);
  if (!token || !/^(\d{10}|\d{12}|\d{14})$/.test(token)) return undefined;
  const digits = token.length === 14 ? token : `20${token}`;
  const num = (from: number, to: number): number => Number(digits.slice(from, to));
  const [year, month, day, hour, minute] = [num(0, 4), num(4, 6), num(6, 8), num(8, 10), num(10, 12)];
  const second = digits.length >= 14 ? num(12, 14) : 0;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls over out-of-range parts (month 13, minute 61); reject those instead.
  const valid =
    date.getUTCMonth() === month - 1 && date.getUTCDate() === day &&
    date.getUTCHours() === hour && date.getUTCMinutes() === minute && date.getUTCSeconds() === second;
  return valid ? date : undefined;
}

/** Parses receipt text leniently; undefined when it carries neither an id nor a stat. */
export function parseReceipt(text: string): ParsedReceipt | undefined {
  const fields = rawFields(text);
  const id = firstToken(fields.get('id'));
  const rawStat = firstToken(fields.get('stat'));
  if (id === undefined && rawStat === undefined) return undefined;

  const receipt: ParsedReceipt = {};
  if (id !== undefined) receipt.id = id;
  if (rawStat !== undefined) receipt.stat = normalizeStat(rawStat) ?? rawStat.toUpperCase();
  const sub = parseCount(fields.get('sub'));
  if (sub !== undefined) receipt.sub = sub;
  const dlvrd = parseCount(fields.get('dlvrd'));
  if (dlvrd !== undefined) receipt.dlvrd = dlvrd;
  const submitDate = parseDate(fields.get('submitDate'));
  if (submitDate) receipt.submitDate = submitDate;
  const doneDate = parseDate(fields.get('doneDate'));
  if (doneDate) receipt.doneDate = doneDate;
  const err = firstToken(fields.get('err'));
  if (err !== undefined) receipt.err = err;
  const body = fields.get('text');
  if (body !== undefined) receipt.text = body;
  return receipt;
}
