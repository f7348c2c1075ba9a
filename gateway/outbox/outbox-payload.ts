/**
 * What an outbox row carries, one shape per kind. A row holds either what is
 * sent as it is (a gateway used on its own), or a reference that the
 * gateway's renderer turns into the message or call at send time (the
 * verifier's rows: a code never rests in the outbox).
 */

/** An SMS ready for a route; `statusCallback` is used by REST SMS routes. */
export interface SmsPayload {
  from?: string;
  /** E.164, '+' and digits. */
  to: string;
  text: string;
  statusCallback?: string;
}

/** A call ready for the voice route. */
export interface CallPayload {
  from: string;
  to: string;
  url: string;
  method?: 'GET' | 'POST';
  timeoutSeconds?: number;
  statusCallback?: string;
  statusCallbackEvents?: string[];
  /** DTMF played to the callee once the call is answered (0-9, *, #, w for a half-second pause). */
  sendDigits?: string;
}

/** One send attempt of a verification, rendered at send time (the code is derived then, or unsealed). */
export interface AttemptReference {
  verificationSid: string;
  attemptSid: string;
  /** A CustomCode, sealed under the server key: it cannot be derived again. */
  sealedCode?: string;
  /** What the start asked of this message beyond its verification (verifier/verification-input.ts SendOptions). */
  options?: {
    appHash?: string;
    customMessage?: string;
    /** A built-in template's text key ('sms' or 'psd2'). */
    template?: string;
    substitutions?: Record<string, string>;
    sendDigits?: string;
    tags?: Record<string, string>;
  };
}

/** A row's kind and payload, as enqueued and as stored. */
export type OutboxContent =
  | { kind: 'sms'; payload: SmsPayload | AttemptReference }
  | { kind: 'call'; payload: CallPayload | AttemptReference };

/** What a renderer hands the routes: a payload ready to send, of the row's kind. */
export type ReadyContent =
  | { kind: 'sms'; payload: SmsPayload }
  | { kind: 'call'; payload: CallPayload };

export type OutboxKind = OutboxContent['kind'];

export function isAttemptReference(payload: SmsPayload | CallPayload | AttemptReference): payload is AttemptReference {
  return 'attemptSid' in payload;
}
