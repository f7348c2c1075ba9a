import { commandStatusName } from './command-status';

export class SmppTimeoutError extends Error {
  override readonly name = 'SmppTimeoutError';
  readonly code = 'SMPP_RESPONSE_TIMEOUT';
  constructor(readonly command: string, readonly timeoutMs: number) {
    super(`no response to ${command} within ${timeoutMs} ms`);
  }
}

export class SmppSessionClosedError extends Error {
  override readonly name = 'SmppSessionClosedError';
  readonly code = 'SMPP_SESSION_CLOSED';
  constructor(readonly command: string) {
    super(`session closed before ${command} was answered`);
  }
}

/** A PDU the peer sent that we cannot serve: the status to answer with, and whether the session survives it. */
export class SmppProtocolError extends Error {
  override readonly name = 'SmppProtocolError';
  readonly code = 'SMPP_PROTOCOL_ERROR';
  constructor(message: string, readonly status: number, readonly sessionSurvives: boolean) {
    super(`${message} (${commandStatusName(status)})`);
  }
}
