import { CommandStatus, commandStatusName } from '../smpp/command-status';
import { VerigateError } from '../errors';

/** Statuses that say "not now", not "never": the attempt is retried within the message's expiry. */
const TEMPORARY_STATUSES: ReadonlySet<number> = new Set([
  CommandStatus.ESME_RTHROTTLED,
  CommandStatus.ESME_RMSGQFUL,
  CommandStatus.ESME_RSYSERR,
]);

export function isTemporaryStatus(status: number): boolean {
  return TEMPORARY_STATUSES.has(status);
}

/** A send that failed; `temporary` decides between a retry and a failed attempt. */
export class SmsSendError extends VerigateError {
  override readonly name = 'SmsSendError';
  readonly code = 'SMS_SEND_FAILED';
  constructor(message: string, override readonly temporary: boolean, readonly smppStatus?: number) {
    super(message);
  }

  static fromStatus(status: number, part: number, parts: number): SmsSendError {
    return new SmsSendError(`part ${part}/${parts} refused: ${commandStatusName(status)}`, isTemporaryStatus(status), status);
  }

  /** Link loss and response timeouts are temporary; anything else unexpected is too, so nothing is dropped silently. */
  static fromFailure(error: unknown): SmsSendError {
    if (error instanceof SmsSendError) return error;
    const known = error instanceof VerigateError && error.temporary;
    return new SmsSendError(known ? error.message : `unexpected: ${(error as Error).message}`, true);
  }
}
