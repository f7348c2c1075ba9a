import { CommandStatus } from '../../gateway/smpp';
import type { Clock } from '../../gateway/clock';
import type { Segment } from '../store/message-store';
import { receiptPdu } from './receipt-pdu';
import { isPermanentRefusal, Redelivery } from './redelivery';
import type { SmscServer } from './smsc-server';

export interface ReceiptSenderDeps {
  clock: Clock;
  smsc: () => SmscServer;
  /** The sessionId of the bind that submitted the part, while it is known (receipt routing). */
  submitter(messageId: string): number | undefined;
  /** The part as it stands now, if its receipt is still to be sent. */
  pending(messageId: string): Segment | undefined;
  /** Receipts the ESME accepted, handed over together once per event-loop turn. */
  markSent(messageIds: string[]): void;
  /** A receipt the ESME refused for good (ESME_RX_P_APPN, ESME_RX_R_APPN): never sent again. */
  markRefused(messageId: string): void;
}

/**
 * Sends each part's receipt as deliver_sm to a bound receiver of the system_id
 * that submitted it (which one: the SMSC's receipt routing). A refused or unanswered one is retried on one schedule
 * per receipt (5 s, doubling up to 60 s) while a receiver is bound; with none
 * bound it waits for the next bind. It keeps nothing itself: what is still
 * pending is asked of `pending`.
 */
export class ReceiptSender {
  readonly #inFlight = new Set<string>();
  readonly #sent: string[] = [];
  readonly #redelivery: Redelivery;

  constructor(private readonly deps: ReceiptSenderDeps) {
    this.#redelivery = new Redelivery(deps.clock);
  }

  async send(segment: Segment): Promise<void> {
    const id = segment.messageId;
    if (this.#inFlight.has(id)) return;
    this.#redelivery.cancelTimer(id);
    const smsc = this.deps.smsc();
    if (!smsc.hasReceiver(segment.systemId)) return; // Kept 'pending' until a receiver binds.
    this.#inFlight.add(id);
    let status: number | undefined;
    try {
      status = (await smsc.deliver(segment.systemId, receiptPdu(segment), this.deps.submitter(id))).command_status;
    } catch {
      status = undefined; // unanswered, or the session closed under it
    } finally {
      this.#inFlight.delete(id);
    }
    if (status === CommandStatus.ESME_ROK) {
      this.#redelivery.forget(id);
      this.#markSent(id);
    } else if (status !== undefined && isPermanentRefusal(status)) {
      this.#redelivery.forget(id);
      this.deps.markRefused(id);
    } else {
      this.#redelivery.schedule(id, () => {
        const current = this.deps.pending(id);
        if (current) void this.send(current);
      });
    }
  }

  #markSent(messageId: string): void {
    this.#sent.push(messageId);
    if (this.#sent.length > 1) return;
    setImmediate(() => this.deps.markSent(this.#sent.splice(0)));
  }
}
