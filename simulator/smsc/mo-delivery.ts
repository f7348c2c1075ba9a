import { CommandStatus, ESM_CLASS } from '../../gateway/smpp';
import { segmentText } from '../../gateway/text';
import type { Clock } from '../../gateway/clock';
import type { StoredMessage } from '../store/message-store';
import { isPermanentRefusal, Redelivery } from './redelivery';
import type { SmscServer } from './smsc-server';

export interface MoDeliveryDeps {
  clock: Clock;
  smsc: () => SmscServer;
  /** The sessionId of the bind that last sent the handset a message from the address this MO is for, if known. */
  submitter(message: StoredMessage): number | undefined;
  /** The message as it stands now, if it is still to be sent. */
  pending(messageId: string): StoredMessage | undefined;
  /** Every part was accepted by the receiver bound as `systemId`. */
  onSent(message: StoredMessage, systemId: string): void;
  /** The receiver refused it for good (ESME_RX_P_APPN, ESME_RX_R_APPN). */
  onRefused(message: StoredMessage, systemId: string): void;
}

/**
 * Carries a handset's message (MO) to a bound receiver as deliver_sm, split
 * into UDH-concatenated parts when long (the same reference on every try).
 * One refused or unanswered is tried again on one schedule per message (5 s,
 * doubling up to 60 s) while a receiver is bound; with none bound it waits
 * for the next bind.
 */
export class MoDelivery {
  readonly #inFlight = new Set<string>();
  readonly #redelivery: Redelivery;

  constructor(private readonly deps: MoDeliveryDeps) {
    this.#redelivery = new Redelivery(deps.clock);
  }

  async send(message: StoredMessage): Promise<void> {
    if (this.#inFlight.has(message.id)) return;
    this.#redelivery.cancelTimer(message.id);
    const receiver = this.deps.smsc().receiver(undefined, this.deps.submitter(message));
    if (!receiver) return; // Left 'queued': the next bind of a receiver sends it.
    this.#inFlight.add(message.id);
    let status: number | undefined = CommandStatus.ESME_ROK;
    try {
      // A reference derived from the id: a part resent after a refusal joins the parts that went before.
      const segmented = segmentText(message.body, { method: 'udh', ref: parseInt(message.id.slice(-2), 16) || 0 });
      for (const part of segmented.parts) {
        status = (await receiver.deliver({
          source_addr_ton: 1,
          source_addr_npi: 1,
          source_addr: message.source.replace(/^\+/, ''),
          ...destinationAddress(message.destination),
          esm_class: part.esmClassUdhi ? ESM_CLASS.UDHI : 0,
          data_coding: segmented.dataCoding,
          short_message: part.shortMessage,
        })).command_status;
        if (status !== CommandStatus.ESME_ROK) break;
      }
    } catch {
      status = undefined; // unanswered, or the session closed under it
    } finally {
      this.#inFlight.delete(message.id);
    }
    try {
      if (status === CommandStatus.ESME_ROK) {
        this.#redelivery.forget(message.id);
        this.deps.onSent(message, receiver.systemId);
      } else if (status !== undefined && isPermanentRefusal(status)) {
        this.#redelivery.forget(message.id);
        this.deps.onRefused(message, receiver.systemId);
      } else {
        this.#redelivery.schedule(message.id, () => {
          const current = this.deps.pending(message.id);
          if (current) void this.send(current);
        });
      }
    } catch {
      // Closed store (shutdown): the message stays 'queued' and goes again after a restart.
    }
  }
}

/** Short codes are 3 to 6 digits; no E.164 number is that short. */
const SHORT_CODE = /^\+?(\d{3,6})$/;

/**
 * TON/NPI for where an MO goes: a short code (3–6 digits, however it was
 * written) is network-specific (3/0), so an ESME does not read `12345` as
 * `+12345`; a longer number is international (1/1); anything else is
 * alphanumeric (5/0).
 */
export function destinationAddress(destination: string): { dest_addr_ton: number; dest_addr_npi: number; destination_addr: string } {
  const shortCode = SHORT_CODE.exec(destination);
  if (shortCode) return { dest_addr_ton: 3, dest_addr_npi: 0, destination_addr: shortCode[1]! };
  if (/^\+?\d+$/.test(destination)) return { dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: destination.replace(/^\+/, '') };
  return { dest_addr_ton: 5, dest_addr_npi: 0, destination_addr: destination };
}
