import type { FastifyInstance } from 'fastify';
import { VerifyError } from '../errors';
import { isSid, newSid } from '../ids';
import type { Bucket, RateLimit } from '../store/rate-limit-repository';
import type { Service } from '../store/service-repository';
import type { VerifierStorage } from '../store/storage';
import { baseOf, listPage, pageWindow, param, type Form, type PageQuery } from './paging';
import { isoDate } from './serialize';

export interface RateLimitRoutesDeps {
  /** Its rateLimits; transactions for the ceilings (a count, then an insert). */
  storage: VerifierStorage;
  loadService(sid: string): Promise<Service>;
  now(): number;
}

/** Verigate's ceilings, as Twilio has its own: rate limits per service, buckets per rate limit. */
export const MAX_RATE_LIMITS_PER_SERVICE = 10;
export const MAX_BUCKETS_PER_RATE_LIMIT = 10;
const UNIQUE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function rateLimitJson(limit: RateLimit, base: string) {
  const url = `${base}/v2/Services/${limit.serviceSid}/RateLimits/${limit.sid}`;
  return {
    sid: limit.sid, service_sid: limit.serviceSid, account_sid: limit.accountSid, unique_name: limit.uniqueName, description: limit.description,
    date_created: isoDate(limit.createdAt), date_updated: isoDate(limit.updatedAt), url, links: { buckets: `${url}/Buckets` },
  };
}

function bucketJson(bucket: Bucket, base: string) {
  return {
    sid: bucket.sid, rate_limit_sid: bucket.rateLimitSid, service_sid: bucket.serviceSid, account_sid: bucket.accountSid,
    max: bucket.max, interval: bucket.interval, date_created: isoDate(bucket.createdAt), date_updated: isoDate(bucket.updatedAt),
    url: `${base}/v2/Services/${bucket.serviceSid}/RateLimits/${bucket.rateLimitSid}/Buckets/${bucket.sid}`,
  };
}

function positive(form: Form | undefined, name: 'Max' | 'Interval'): number | undefined {
  const raw = param(form, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < (name === 'Max' ? 0 : 1) || value > 100_000_000) {
    throw new VerifyError('INVALID_PARAMETER', `Invalid parameter \`${name}\`: a whole number${name === 'Interval' ? ' of seconds, at least 1' : ', at least 0'}`);
  }
  return value;
}

/**
 * `RateLimits` of a start: a JSON object of rate-limit unique names to the values they meter
 * (`{"end_user_ip_address":"203.0.113.7"}`). Unknown names are ignored, as on Twilio.
 */
export function parseRateLimitsParam(raw: string | undefined): Record<string, string> {
  if (raw === undefined || raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `RateLimits`: a JSON object of unique names to values');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `RateLimits`: a JSON object of unique names to values');
  return Object.fromEntries(Object.entries(parsed).map(([name, value]) => [name, String(value)]));
}

/** Services/{VA}/RateLimits and their Buckets. */
export function registerRateLimitRoutes(app: FastifyInstance, deps: RateLimitRoutesDeps): void {
  const { rateLimits } = deps.storage;
  const path = '/v2/Services/:sid/RateLimits';
  const loadLimit = async (serviceSid: string, sid: string) => {
    const limit = isSid(sid, 'RK') ? await rateLimits.get(serviceSid, sid) : undefined;
    if (!limit) throw new VerifyError('NOT_FOUND', `The requested resource /Services/${serviceSid}/RateLimits/${sid} was not found`);
    return limit;
  };
  const loadBucket = async (limit: RateLimit, sid: string) => {
    const bucket = isSid(sid, 'BL') ? await rateLimits.bucket(limit.sid, sid) : undefined;
    if (!bucket) throw new VerifyError('NOT_FOUND', `The requested resource /Services/${limit.serviceSid}/RateLimits/${limit.sid}/Buckets/${sid} was not found`);
    return bucket;
  };

  app.post<{ Params: { sid: string }; Body: Form }>(path, { schema: { summary: 'Create a rate limit', tags: ['Rate limits'] } }, async (request, reply) => {
    const service = (await deps.loadService(request.params.sid));
    const uniqueName = param(request.body, 'UniqueName');
    if (uniqueName === undefined) throw new VerifyError('MISSING_PARAMETER', 'Missing required parameter UniqueName in the post body');
    if (!UNIQUE_NAME.test(uniqueName)) throw new VerifyError('UNIQUE_NAME_INVALID', 'UniqueName format is invalid: 1 to 64 letters, digits, _ or -');
    const now = deps.now();
    const limit: RateLimit = { sid: newSid('RK'), serviceSid: service.sid, accountSid: service.accountSid, uniqueName, description: param(request.body, 'Description') ?? null, createdAt: now, updatedAt: now };
    // The ceiling is a count, then an insert: locked per service, so concurrent creates cannot pass it together.
    await deps.storage.transaction(async (tx) => {
      await tx.lock(`rate-limits:${service.sid}`);
      if (await tx.rateLimits.byName(service.sid, uniqueName)) throw new VerifyError('RATE_LIMIT_EXISTS');
      if ((await tx.rateLimits.count(service.sid)) >= MAX_RATE_LIMITS_PER_SERVICE) throw new VerifyError('RATE_LIMITS_PER_SERVICE', `Max rate limits per service reached (${MAX_RATE_LIMITS_PER_SERVICE})`);
      await tx.rateLimits.insert(limit);
    });
    return reply.code(201).send(rateLimitJson(limit, baseOf(request)));
  });

  app.get<{ Params: { sid: string }; Querystring: PageQuery }>(path, { schema: { summary: 'List rate limits', tags: ['Rate limits'] } }, async (request) => {
    const service = (await deps.loadService(request.params.sid));
    const window = pageWindow(request.query);
    const { items, total } = await rateLimits.list(service.sid, window.offset, window.pageSize);
    const base = baseOf(request);
    return listPage('rate_limits', items.map((l) => rateLimitJson(l, base)), total, window, base, `/v2/Services/${service.sid}/RateLimits`);
  });

  app.get<{ Params: { sid: string; limit: string } }>(`${path}/:limit`, { schema: { summary: 'Fetch a rate limit', tags: ['Rate limits'] } }, async (request) =>
    rateLimitJson(await loadLimit((await deps.loadService(request.params.sid)).sid, request.params.limit), baseOf(request)));

  app.post<{ Params: { sid: string; limit: string }; Body: Form }>(`${path}/:limit`, { schema: { summary: 'Update a rate limit', tags: ['Rate limits'] } }, async (request) => {
    const limit = await loadLimit((await deps.loadService(request.params.sid)).sid, request.params.limit);
    const description = param(request.body, 'Description');
    const updated = description === undefined ? limit : (await rateLimits.describe(limit.serviceSid, limit.sid, description, deps.now()))!;
    return rateLimitJson(updated, baseOf(request));
  });

  app.delete<{ Params: { sid: string; limit: string } }>(`${path}/:limit`, { schema: { summary: 'Delete a rate limit', tags: ['Rate limits'] } }, async (request, reply) => {
    const limit = await loadLimit((await deps.loadService(request.params.sid)).sid, request.params.limit);
    await rateLimits.delete(limit.serviceSid, limit.sid);
    return reply.code(204).send();
  });

  const buckets = `${path}/:limit/Buckets`;
  app.post<{ Params: { sid: string; limit: string }; Body: Form }>(buckets, { schema: { summary: 'Create a bucket', tags: ['Rate limits'] } }, async (request, reply) => {
    const limit = await loadLimit((await deps.loadService(request.params.sid)).sid, request.params.limit);
    const max = positive(request.body, 'Max');
    const interval = positive(request.body, 'Interval');
    if (max === undefined) throw new VerifyError('MISSING_PARAMETER', 'Missing required parameter Max in the post body');
    if (interval === undefined) throw new VerifyError('MISSING_PARAMETER', 'Missing required parameter Interval in the post body');
    const now = deps.now();
    const bucket: Bucket = { sid: newSid('BL'), rateLimitSid: limit.sid, serviceSid: limit.serviceSid, accountSid: limit.accountSid, max, interval, createdAt: now, updatedAt: now };
    await deps.storage.transaction(async (tx) => {
      await tx.lock(`rate-limit-buckets:${limit.sid}`);
      if (await tx.rateLimits.bucketWithInterval(limit.sid, interval)) throw new VerifyError('BUCKET_INTERVAL_EXISTS');
      if ((await tx.rateLimits.buckets(limit.sid)).length >= MAX_BUCKETS_PER_RATE_LIMIT) throw new VerifyError('BUCKETS_PER_RATE_LIMIT', `Max Buckets per Rate limit reached (${MAX_BUCKETS_PER_RATE_LIMIT})`);
      await tx.rateLimits.insertBucket(bucket);
    });
    return reply.code(201).send(bucketJson(bucket, baseOf(request)));
  });

  app.get<{ Params: { sid: string; limit: string }; Querystring: PageQuery }>(buckets, { schema: { summary: 'List buckets', tags: ['Rate limits'] } }, async (request) => {
    const limit = await loadLimit((await deps.loadService(request.params.sid)).sid, request.params.limit);
    const window = pageWindow(request.query);
    const all = await rateLimits.buckets(limit.sid);
    const base = baseOf(request);
    return listPage('buckets', all.slice(window.offset, window.offset + window.pageSize).map((b) => bucketJson(b, base)), all.length, window, base,
      `/v2/Services/${limit.serviceSid}/RateLimits/${limit.sid}/Buckets`);
  });

  app.get<{ Params: { sid: string; limit: string; bucket: string } }>(`${buckets}/:bucket`, { schema: { summary: 'Fetch a bucket', tags: ['Rate limits'] } }, async (request) => {
    const limit = await loadLimit((await deps.loadService(request.params.sid)).sid, request.params.limit);
    return bucketJson(await loadBucket(limit, request.params.bucket), baseOf(request));
  });

  app.post<{ Params: { sid: string; limit: string; bucket: string }; Body: Form }>(`${buckets}/:bucket`, { schema: { summary: 'Update a bucket', tags: ['Rate limits'] } }, async (request) => {
    const limit = await loadLimit((await deps.loadService(request.params.sid)).sid, request.params.limit);
    const bucket = await loadBucket(limit, request.params.bucket);
    const interval = positive(request.body, 'Interval');
    const max = positive(request.body, 'Max');
    // Under the same lock as a create, so two requests cannot give two buckets one interval (a 500 from the unique index).
    const updated = await deps.storage.transaction(async (tx) => {
      await tx.lock(`rate-limit-buckets:${limit.sid}`);
      if (interval !== undefined && interval !== bucket.interval && await tx.rateLimits.bucketWithInterval(limit.sid, interval)) throw new VerifyError('BUCKET_INTERVAL_EXISTS');
      return tx.rateLimits.updateBucket(limit.sid, bucket.sid, { max, interval }, deps.now());
    });
    if (!updated) throw new VerifyError('NOT_FOUND', `The requested resource /Services/${limit.serviceSid}/RateLimits/${limit.sid}/Buckets/${bucket.sid} was not found`);
    return bucketJson(updated, baseOf(request));
  });

  app.delete<{ Params: { sid: string; limit: string; bucket: string } }>(`${buckets}/:bucket`, { schema: { summary: 'Delete a bucket', tags: ['Rate limits'] } }, async (request, reply) => {
    const limit = await loadLimit((await deps.loadService(request.params.sid)).sid, request.params.limit);
    await rateLimits.deleteBucket(limit.sid, (await loadBucket(limit, request.params.bucket)).sid);
    return reply.code(204).send();
  });
}
