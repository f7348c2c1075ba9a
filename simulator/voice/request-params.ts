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

  integer(name: string, min: number, max: number): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new VoiceApiError(20001, `${name} must be an integer from ${min} to ${max}, got ${value}`);
    return n;
  }
}
