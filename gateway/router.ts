import { isAttemptReference, type CallPayload, type OutboxRow, type OutboxSender, type ReadyContent, type SendResult } from './outbox';
import type { SmsRequest } from './sms/smpp-sms-sender';
import { VerigateError } from './errors';

/** A way to send SMS: the SMPP link, or a REST SMS API. */
export interface SmsRoute {
  readonly name: string;
  /** `matchKeys`: the ids as receipts are matched (default: the ids themselves). */
  send(request: SmsRequest): Promise<{ messageIds: string[]; matchKeys?: string[]; result?: Record<string, unknown> }>;
}

export type CallRequest = CallPayload;

/** An SMS to a number that answered STOP (until it answers START). */
export class OptedOutError extends VerigateError {
  override readonly name = 'OptedOutError';
  readonly code = 'OPTED_OUT';
}

/** A way to place calls: a Restcomm or Twilio-compatible REST API. */
export interface VoiceRoute {
  readonly name: string;
  placeCall(request: CallRequest): Promise<{ callSid: string }>;
}

/** SMS routing as plain data: the longest matching destination prefix wins, else the default. */
export interface RoutingTable {
  sms: { prefix: string; route: string }[];
  defaultSms: string;
}

export class RouteMissingError extends VerigateError {
  override readonly name = 'RouteMissingError';
  readonly code = 'ROUTE_MISSING';
}

/**
 * Turns a stored payload into what is sent, at send time. The verifier keeps
 * only references in the outbox (never a code) and renders the text here.
 */
export type OutboxRenderer = (row: OutboxRow) => ReadyContent | Promise<ReadyContent>;

/** A row that holds what is sent as it is; a reference needs a renderer. */
function asStored(row: OutboxRow): ReadyContent {
  if (row.kind === 'sms' && !isAttemptReference(row.payload)) return { kind: 'sms', payload: row.payload };
  if (row.kind === 'call' && !isAttemptReference(row.payload)) return { kind: 'call', payload: row.payload };
  throw new RouteMissingError(`outbox row ${row.id} holds a reference and no renderer is configured`);
}

/** Chooses the route for each outbox row and sends it there. */
export class Router implements OutboxSender {
  readonly #sms: Map<string, SmsRoute>;

  constructor(
    smsRoutes: SmsRoute[],
    private readonly voice: VoiceRoute | undefined,
    private readonly table: RoutingTable = { sms: [], defaultSms: smsRoutes[0]?.name ?? '' },
    private readonly render?: OutboxRenderer,
    /** Numbers that answered STOP: an SMS to one is refused for good, as Twilio does (21610). */
    private readonly optedOut: (to: string) => Promise<boolean> = async () => false,
  ) {
    this.#sms = new Map(smsRoutes.map((r) => [r.name, r]));
  }

  smsRouteFor(to: string): SmsRoute {
    const match = this.table.sms
      .filter((rule) => to.startsWith(rule.prefix))
      .sort((a, b) => b.prefix.length - a.prefix.length)[0];
    const name = match?.route ?? this.table.defaultSms;
    const route = this.#sms.get(name);
    if (!route) throw new RouteMissingError(`no SMS route named "${name}" for ${to}`);
    return route;
  }

  /** Whether an SMS to `to`, or a call, has somewhere to go. */
  hasRoute(kind: 'sms' | 'call', to: string): boolean {
    if (kind === 'call') return this.voice !== undefined;
    try {
      this.smsRouteFor(to);
      return true;
    } catch {
      return false;
    }
  }

  async send(row: OutboxRow): Promise<SendResult> {
    const ready = this.render ? await this.render(row) : asStored(row);
    if (ready.kind === 'sms') {
      const request: SmsRequest = { ...ready.payload, validUntil: row.expiresAt };
      if (await this.optedOut(request.to)) throw new OptedOutError(`${request.to} has opted out (STOP)`);
      const route = this.smsRouteFor(request.to);
      const sent = await route.send(request);
      return { route: route.name, result: { messageIds: sent.messageIds, ...sent.result }, smsMessageIds: sent.matchKeys ?? sent.messageIds };
    }
    if (!this.voice) throw new RouteMissingError('no voice route configured');
    const placed = await this.voice.placeCall(ready.payload);
    return { route: this.voice.name, result: { callSid: placed.callSid } };
  }
}

/** The SMPP link as an SMS route. */
export function smppRoute(name: string, sender: { send(request: SmsRequest): Promise<{ messageIds: string[]; matchKeys: string[]; dataCoding: number }> }): SmsRoute {
  return {
    name,
    async send(request) {
      const sent = await sender.send(request);
      return { messageIds: sent.messageIds, matchKeys: sent.matchKeys, result: { dataCoding: sent.dataCoding } };
    },
  };
}
