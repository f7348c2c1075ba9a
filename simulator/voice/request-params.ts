import type { FastifyRequest } from 'fastify';
import { normaliseAddress } from '../numbers';
import { VoiceApiError, type VoiceRestErrorCode } from './errors';
import type { HttpMethod } from './rcml-parser';

type Raw = Record<string, unknown>;

/**
 * The PascalCase parameters of a REST request (form-encoded or JSON body, or
 * the query for GET), checked one by one; every problem becomes a
 * VoiceApiError naming the parameter.
 */
export class RequestParams {
  readonly #raw: Raw;

  constructor(raw: unknown) {
    this.#raw = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Raw) : {};
  }

  static ofBody(request: FastifyRequest): RequestParams {
    return new RequestParams(request.body);
  }

  static ofQuery(request: FastifyRequest): RequestParams {
    return new RequestParams(request.query);
  }

  /** A single value; a repeated one is refused. */
  string(name: string): string | undefined {
    const value = this.#raw[name];
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) throw new VoiceApiError(20001, `${name} was given more than once`);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new VoiceApiError(20001, `${name} must be a string`);
    const text = String(value).trim();
    return text === '' ? undefined : text;
  }

  /** Every value of a repeatable parameter, also split on spaces and commas (`initiated ringing`). */
  list(name: string): string[] | undefined {
    const value = this.#raw[name];
    if (value === undefined || value === null) return undefined;
    const values = (Array.isArray(value) ? value : [value]).map(String);
    return values.flatMap((v) => v.split(/[\s,]+/)).filter((v) => v !== '');
  }

  required(name: string, code: VoiceRestErrorCode, message?: string): string {
    const value = this.string(name);
    if (value === undefined) throw new VoiceApiError(code, message ?? `Missing required parameter ${name}`);
    return value;
  }

  phone(name: string, code: VoiceRestErrorCode, missingCode: VoiceRestErrorCode): string {
    const value = this.required(name, missingCode);
    const number = normaliseAddress(value);
    if (!/^\+\d{3,15}$/.test(number)) throw new VoiceApiError(code, `The '${name}' number ${value} is not a valid phone number (E.164, "+" optional)`);
    return number;
  }

  /**
   * A number strictly in E.164: digits only, `+` optional. A national or
   * punctuated form such as `(555) 050-0002` is refused rather than guessed at.
   */
  e164(name: string, code: VoiceRestErrorCode, missingCode: VoiceRestErrorCode): string {
    const value = this.required(name, missingCode);
    if (!/^\+?[1-9]\d{2,14}$/.test(value)) throw new VoiceApiError(code, `The '${name}' number ${value} is not a valid phone number: write it in E.164, e.g. +14155550100`);
    return value.startsWith('+') ? value : `+${value}`;
  }

  url(name: string, code: VoiceRestErrorCode): string | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    try {
      const url = new URL(value);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString();
    } catch {
      // fall through
    }
    throw new VoiceApiError(code, `${name} is not a valid URL: ${value} (an absolute http or https URL is needed)`);
  }

  method(name: string): HttpMethod | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const upper = value.toUpperCase();
    if (upper !== 'GET' && upper !== 'POST') throw new VoiceApiError(21209, `${name} must be GET or POST, got ${value}`);
    return upper;
  }

  integer(name: string, min: number, max: number, code: VoiceRestErrorCode = 20001): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new VoiceApiError(code, `${name} must be an integer from ${min} to ${max}, got ${value}`);
    return n;
  }

  boolean(name: string): boolean | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const lower = value.toLowerCase();
    if (lower !== 'true' && lower !== 'false') throw new VoiceApiError(20001, `${name} must be true or false, got ${value}`);
    return lower === 'true';
  }

  /**
   * Twilio's date filters `Name`, `Name>` (on or after) and `Name<` (on or
   * before), each a day (`2026-11-23`, the whole UTC day) or an ISO 8601
   * instant; as an inclusive range in ms.
   */
  dateRange(name: string): { from?: number; to?: number } {
    const range: { from?: number; to?: number } = {};
    const day = (raw: string) => {
      const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(raw);
      const ms = Date.parse(dateOnly ? `${raw}T00:00:00Z` : raw);
      if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(ms)) throw new VoiceApiError(20001, `${name} must be a date (YYYY-MM-DD) or an ISO 8601 date and time, got ${raw}`);
      return { start: ms, end: dateOnly ? ms + 86_400_000 - 1 : ms };
    };
    const exact = this.string(name);
    if (exact !== undefined) {
      const { start } = day(exact);
      const dayStart = start - (start % 86_400_000);
      range.from = dayStart;
      range.to = dayStart + 86_400_000 - 1;
    }
    const after = this.string(`${name}>`);
    if (after !== undefined) range.from = Math.max(range.from ?? -Infinity, day(after).start);
    const before = this.string(`${name}<`);
    if (before !== undefined) range.to = Math.min(range.to ?? Infinity, day(before).end);
    return range;
  }
}
