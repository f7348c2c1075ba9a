import { CommandStatus, commandStatusName } from '../smpp/command-status';
import { VerigateError } from '../errors';

/**
 * What a submit_sm_resp status means for the message (docs/gateway.md has this table):
 * - `throttle`: the SMSC wants less per second: the link slows as a whole and resubmits (esme-client.ts);
 * - `rebind`: the SMSC lost our bind: the link rebinds and the message is sent again;
 * - `temporary`: not now: retried with backoff within the message's expiry;
 * - `permanent`: never: the attempt fails with this status.
 * A status not listed is permanent: retrying a refusal we do not understand would only repeat it.
 */
export type StatusClass = 'throttle' | 'rebind' | 'temporary' | 'permanent';

export const STATUS_CLASSES: ReadonlyMap<number, StatusClass> = new Map<number, StatusClass>([
  [CommandStatus.ESME_RTHROTTLED, 'throttle'],
  [CommandStatus.ESME_RINVBNDSTS, 'rebind'],
  [CommandStatus.ESME_RMSGQFUL, 'temporary'],
  [CommandStatus.ESME_RSYSERR, 'temporary'],
  // "Temporary application error": the SMSC's own words.
  [CommandStatus.ESME_RX_T_APPN, 'temporary'],
  // Generic "submit failed": SMSCs use it for transient routing faults; a code is worth another try.
  [CommandStatus.ESME_RSUBMITFAIL, 'temporary'],
  // "Unknown error": nothing says never, and a lost code costs more than a retry within its expiry.
  [CommandStatus.ESME_RUNKNOWNERR, 'temporary'],
  [CommandStatus.ESME_RX_P_APPN, 'permanent'],
  [CommandStatus.ESME_RX_R_APPN, 'permanent'],
]);

export function statusClass(status: number): StatusClass {
  return STATUS_CLASSES.get(status) ?? 'permanent';
}

export function isTemporaryStatus(status: number): boolean {
  return statusClass(status) !== 'permanent';
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
