import { commandStatusName } from './command-status';
import { VerigateError } from '../errors';

export class SmppTimeoutError extends VerigateError {
  override readonly name = 'SmppTimeoutError';
  readonly code = 'SMPP_RESPONSE_TIMEOUT';
  override readonly temporary = true;
  /** `sequence`: the request's sequence_number; its response may still come (see the session's `lateResponse`). */
  constructor(readonly command: string, readonly timeoutMs: number, readonly sequence?: number) {
    super(`no response to ${command} within ${timeoutMs} ms`);
  }
}

export class SmppSessionClosedError extends VerigateError {
  override readonly name = 'SmppSessionClosedError';
  readonly code = 'SMPP_SESSION_CLOSED';
  override readonly temporary = true;
  constructor(readonly command: string) {
    super(`session closed before ${command} was answered`);
  }
}

/** A PDU the peer sent that we cannot serve: the status to answer with, and whether the session survives it. */
export class SmppProtocolError extends VerigateError {
  override readonly name = 'SmppProtocolError';
  readonly code = 'SMPP_PROTOCOL_ERROR';
  constructor(message: string, readonly status: number, readonly sessionSurvives: boolean) {
    super(`${message} (${commandStatusName(status)})`);
  }
}
