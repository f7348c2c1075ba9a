import { randomBytes } from 'node:crypto';
import { CommandStatus, ESM_CLASS } from '../../gateway/smpp';
import { segmentText } from '../../gateway/text';
import type { StoredMessage } from '../store/message-store';
import type { SmscServer } from './smsc-server';

export interface MoDeliveryDeps {
  smsc: () => SmscServer;
  /** Every part was accepted by the receiver bound as `systemId`. */
  onSent(message: StoredMessage, systemId: string): void;
}

/**
 * Carries a handset's message (MO) to a bound receiver as deliver_sm, split
 * into UDH-concatenated parts when long. One that finds no receiver, or is
 * refused, stays where it is: the next bind of a receiver sends it again.
 */
export class MoDelivery {
  readonly #inFlight = new Set<string>();

  constructor(private readonly deps: MoDeliveryDeps) {}

  async send(message: StoredMessage): Promise<void> {
    const receiver = this.deps.smsc().receiver();
    if (this.#inFlight.has(message.id) || !receiver) return;
    this.#inFlight.add(message.id);
    try {
      const segmented = segmentText(message.body, { method: 'udh', ref: randomBytes(1)[0] ?? 0 });
      for (const part of segmented.parts) {
        const response = await receiver.deliver({
          source_addr_ton: 1,
          source_addr_npi: 1,
          source_addr: message.source.replace(/^\+/, ''),
          dest_addr_ton: /^\+?\d+$/.test(message.destination) ? 1 : 0,
          dest_addr_npi: 1,
          destination_addr: message.destination.replace(/^\+/, ''),
          esm_class: part.esmClassUdhi ? ESM_CLASS.UDHI : 0,
          data_coding: segmented.dataCoding,
          short_message: part.shortMessage,
        });
        if (response.command_status !== CommandStatus.ESME_ROK) return;
      }
      this.deps.onSent(message, receiver.systemId);
    } catch {
      // Left 'queued': the next bind of a receiver sends it again.
    } finally {
      this.#inFlight.delete(message.id);
    }
  }
}
