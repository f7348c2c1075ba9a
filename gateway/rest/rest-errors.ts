import { VerigateError, type TwilioErrorBody } from '../errors';

/** An error answer from a Restcomm or Twilio-compatible API, parsed from its body. */
export class RestApiError extends VerigateError {
  override readonly name = 'RestApiError';
  readonly code = 'REST_API_ERROR';
  /** 429 and 5xx are worth another try; 4xx is not. */
  override readonly temporary: boolean;

  constructor(
    readonly status: number,
    /** Twilio's numeric error code (e.g. 21211 for an invalid To), when the API gave one. */
    readonly apiCode: number | undefined,
    message: string,
    readonly moreInfo?: string,
  ) {
    super(`${status}${apiCode ? ` (${apiCode})` : ''}: ${message}`);
    this.temporary = status === 429 || status >= 500;
  }

  static fromResponse(status: number, body: string): RestApiError {
    try {
      const parsed = JSON.parse(body) as Partial<Record<keyof TwilioErrorBody, unknown>>;
      const code = typeof parsed.code === 'number' ? parsed.code : Number(parsed.code) || undefined;
      const message = typeof parsed.message === 'string' ? parsed.message : body.slice(0, 200);
      return new RestApiError(status, code, message, typeof parsed.more_info === 'string' ? parsed.more_info : undefined);
    } catch {
      // Restcomm answers some errors as XML or plain text.
      const xmlMessage = /<Message>([^<]*)<\/Message>/i.exec(body)?.[1];
      return new RestApiError(status, undefined, xmlMessage ?? (body.trim().slice(0, 200) || 'no body'));
    }
  }
}

/** The API could not be reached at all (refused, reset, timed out): always temporary. */
export class RestTransportError extends VerigateError {
  override readonly name = 'RestTransportError';
  readonly code = 'REST_TRANSPORT_ERROR';
  override readonly temporary = true;
}
