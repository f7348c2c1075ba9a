import { CommandStatus } from '../../gateway/smpp';
import type { Clock } from '../../gateway/clock';
import type { Segment } from '../store/message-store';
import { receiptPdu } from './receipt-pdu';
import type { SmscServer } from './smsc-server';

const RECEIPT_RETRY_MS = 5_000;

export interface ReceiptSenderDeps {
  clock: Clock;
  smsc: () => SmscServer;
  /** The part as it stands now, if its receipt is still to be sent. */
  pending(messageId: string): Segment | undefined;
  /** Receipts the ESME accepted, handed over together once per event-loop turn. */
  markSent(messageIds: string[]): void;
}

/**
 * Sends each part's receipt as deliver_sm to a bound receiver of the system_id
 * that submitted it, and again every 5 s while it is refused or unanswered.
 * It keeps nothing itself: what is still pending is asked of `pending`.
 */
export class ReceiptSender {
  readonly #inFlight = new Set<string>();
  readonly #sent: string[] = [];

  constructor(private readonly deps: ReceiptSenderDeps) {}

  async send(segment: Segment): Promise<void> {
    if (this.#inFlight.has(segment.messageId)) return;
    const smsc = this.deps.smsc();
    if (!smsc.hasReceiver(segment.systemId)) return; // Kept 'pending' until a receiver binds.
    this.#inFlight.add(segment.messageId);
    try {
      const response = await smsc.deliver(segment.systemId, receiptPdu(segment));
      if (response.command_status === CommandStatus.ESME_ROK) {
        this.#markSent(segment.messageId);
        return;
      }
      this.#retry(segment);
    } catch {
      this.#retry(segment);
    } finally {
      this.#inFlight.delete(segment.messageId);
    }
  }

  #markSent(messageId: string): void {
    this.#sent.push(messageId);
    if (this.#sent.length > 1) return;
    setImmediate(() => this.deps.markSent(this.#sent.splice(0)));
  }

  #retry(segment: Segment): void {
    this.deps.clock.setTimeout(() => {
      const current = this.deps.pending(segment.messageId);
      if (current) void this.send(current);
    }, RECEIPT_RETRY_MS);
  }
}
