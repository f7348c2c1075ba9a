import type { FastifyInstance } from 'fastify';
import { VerifyError } from '../errors';
import { isSid } from '../ids';
import { parseE164 } from '../phone';
import type { AttemptFilter, AttemptReport, AttemptReportRepository } from '../store/attempt-report-repository';
import { baseOf, listPage, pageWindow } from './paging';
import { isoDate } from './serialize';

export interface AttemptRoutesDeps {
  attempts: AttemptReportRepository;
  accountSid: string;
}

type Query = Record<string, string | undefined>;

function attemptJson(attempt: AttemptReport, base: string) {
  return {
    sid: attempt.sid,
    account_sid: attempt.accountSid,
    service_sid: attempt.serviceSid,
    verification_sid: attempt.verificationSid,
    date_created: isoDate(attempt.createdAt),
    date_updated: isoDate(attempt.updatedAt),
    conversion_status: attempt.verificationStatus === 'approved' ? 'converted' : 'unconverted',
    channel: attempt.channel,
    price: null,
    channel_data: { to: attempt.to, status: attempt.deliveryStatus },
    url: `${base}/v2/Attempts/${attempt.sid}`,
  };
}

function date(query: Query, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new VerifyError('INVALID_PARAMETER', `Invalid parameter \`${name}\`: an ISO-8601 date`);
  return ms;
}

/** The filters Twilio's Attempts list and Summary take, read from the query. */
function filterOf(query: Query, accountSid: string): { filter: AttemptFilter; country?: string; prefix?: string } {
  const status = query['Status'];
  if (status !== undefined && status !== 'converted' && status !== 'unconverted') throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `Status`: converted or unconverted');
  return {
    filter: {
      accountSid,
      serviceSid: query['VerifyServiceSid'],
      verificationSid: query['VerificationSid'],
      to: query['ChannelData.To'],
      channel: query['Channel']?.toLowerCase(),
      createdAfter: date(query, 'DateCreatedAfter'),
      createdBefore: date(query, 'DateCreatedBefore'),
      converted: status === undefined ? undefined : status === 'converted',
    },
    country: query['Country']?.toUpperCase(),
    prefix: query['DestinationPrefix'],
  };
}

async function matching(reports: AttemptReportRepository, query: Query, accountSid: string): Promise<AttemptReport[]> {
  const { filter, country, prefix } = filterOf(query, accountSid);
  return (await reports.find(filter)).filter((a) => (!country || parseE164(a.to)?.country === country) && (!prefix || a.to.startsWith(prefix)));
}

/** Verification Attempts (`/v2/Attempts`) and their Summary, across the account's services. */
export function registerAttemptRoutes(app: FastifyInstance, deps: AttemptRoutesDeps): void {
  app.get<{ Querystring: Query }>('/v2/Attempts', { schema: { summary: 'List verification attempts', tags: ['Attempts'] } }, async (request) => {
    const window = pageWindow(request.query);
    const all = await matching(deps.attempts, request.query, deps.accountSid);
    const base = baseOf(request);
    const filters = Object.fromEntries(Object.entries(request.query).filter(([k, v]) => v !== undefined && !['PageSize', 'Page', 'PageToken'].includes(k))) as Record<string, string>;
    return listPage('attempts', all.slice(window.offset, window.offset + window.pageSize).map((a) => attemptJson(a, base)), all.length, window, base, '/v2/Attempts', filters);
  });

  app.get<{ Querystring: Query }>('/v2/Attempts/Summary', { schema: { summary: 'Summary of verification attempts', tags: ['Attempts'] } }, async (request) => {
    const all = await matching(deps.attempts, request.query, deps.accountSid);
    const converted = all.filter((a) => a.verificationStatus === 'approved').length;
    return {
      total_attempts: all.length,
      total_converted: converted,
      total_unconverted: all.length - converted,
      conversion_rate_percentage: all.length === 0 ? '0' : ((converted / all.length) * 100).toFixed(2).replace(/\.?0+$/, ''),
      url: `${baseOf(request)}/v2/Attempts/Summary`,
    };
  });

  app.get<{ Params: { sid: string } }>('/v2/Attempts/:sid', { schema: { summary: 'Fetch a verification attempt', tags: ['Attempts'] } }, async (request) => {
    const attempt = isSid(request.params.sid, 'VL') ? (await deps.attempts.find({ accountSid: deps.accountSid, sid: request.params.sid }))[0] : undefined;
    if (!attempt) throw new VerifyError('NOT_FOUND', `The requested resource /Attempts/${request.params.sid} was not found`);
    return attemptJson(attempt, baseOf(request));
  });
}
