import { CommandStatus } from '../../gateway/smpp';

/** SMPP absolute time, YYMMDDhhmmsst00+ in UTC. */
export function smppTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}${Math.floor(d.getUTCMilliseconds() / 100)}00+`;
}

const ABSOLUTE = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d)(\d{2})([+-])$/;
const RELATIVE = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})000R$/;
const DAY = 86_400_000;

/**
 * Reads an SMPP 3.4 time (§7.1.1): empty (none), absolute `YYMMDDhhmmsstnn±`
 * (nn quarter hours from UTC) or relative `YYMMDDhhmmss000R` (a year as 365
 * days, a month as 30). Returns epoch ms, undefined for none; throws on
 * anything else.
 */
export function parseSmppTime(text: string, now: number): number | undefined {
  if (text === '') return undefined;
  const relative = RELATIVE.exec(text);
  if (relative) {
    const [years, months, days, hours, minutes, seconds] = relative.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    return now + (years * 365 + months * 30 + days) * DAY + ((hours * 60 + minutes) * 60 + seconds) * 1000;
  }
  const absolute = ABSOLUTE.exec(text);
  if (!absolute) throw new Error(`"${text}" is not an SMPP time`);
  const [yy, mo, dd, hh, mi, ss, tenths, quarters] = absolute.slice(1, 9).map(Number) as [number, number, number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 59 || quarters > 48) throw new Error(`"${text}" is not a valid date`);
  const local = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss, tenths * 100);
  if (new Date(local).getUTCDate() !== dd) throw new Error(`"${text}" is not a valid date`);
  const offset = quarters * 15 * 60_000;
  return absolute[9] === '+' ? local - offset : local + offset;
}

/** When a submitted message may go out and until when it is valid; undefined: at once / no limit. */
export interface MessageTimes {
  scheduledAt?: number;
  validUntil?: number;
}

/**
 * Reads schedule_delivery_time and validity_period of a submit_sm, submit_multi or replace_sm. Returns the
 * status to refuse it with (ESME_RINVSCHED, ESME_RINVEXPIRY) when one is not an SMPP time.
 */
export function readMessageTimes(fields: { schedule_delivery_time?: unknown; validity_period?: unknown }, now: number): MessageTimes | { status: number } {
  let scheduledAt: number | undefined;
  try {
    scheduledAt = parseSmppTime(timeField(fields.schedule_delivery_time), now);
  } catch {
    return { status: CommandStatus.ESME_RINVSCHED };
  }
  try {
    return { scheduledAt, validUntil: parseSmppTime(timeField(fields.validity_period), now) };
  } catch {
    return { status: CommandStatus.ESME_RINVEXPIRY };
  }
}

/** Time fields pass through the framer raw (a string, or bytes from some ESMEs). */
function timeField(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('latin1') : String(value ?? '');
}
