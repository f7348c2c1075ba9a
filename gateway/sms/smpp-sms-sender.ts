import { randomInt } from 'node:crypto';
import { segmentText } from '../text';
import { CommandStatus } from '../smpp/command-status';
import { ESM_CLASS, REGISTERED_DELIVERY } from '../smpp/pdu';
import type { SmppClient } from '../smpp/esme-client';
import type { SmppEndpoint } from '../smpp/endpoint';
import { messageIdKey } from '../receipt/message-id';
import { SmsSendError } from './send-errors';
import type { SmsPayload } from '../outbox/outbox-payload';

/** An SMS ready to send, and until when it may be delivered (the code's expiry: validity_period). */
export type SmsRequest = SmsPayload & { validUntil?: number };

export interface SubmittedSms {
  /** The SMSC's message id of each part, in order; receipts come back with these. */
  messageIds: string[];
  /** The same ids as receipts are matched against them (the link's msg_id_type). */
  matchKeys: string[];
  dataCoding: number;
}

/** SMPP absolute time (7.1.1) in UTC: YYMMDDhhmmss, tenths, quarter hours from UTC, '+'. */
export function absoluteTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}000+`;
}

const TON = { UNKNOWN: 0, INTERNATIONAL: 1, ALPHANUMERIC: 5 } as const;
const NPI = { UNKNOWN: 0, ISDN: 1 } as const;

function addressOf(address: string): { addr: string; ton: number; npi: number } {
  if (/^\+\d+$/.test(address)) return { addr: address.slice(1), ton: TON.INTERNATIONAL, npi: NPI.ISDN };
  if (/^\d+$/.test(address)) return { addr: address, ton: TON.UNKNOWN, npi: NPI.ISDN };
  return { addr: address, ton: TON.ALPHANUMERIC, npi: NPI.UNKNOWN };
}

/**
 * Turns a text into submit_sm PDUs: GSM 03.38 with data_coding 0 set
 * explicitly (extension characters count two septets), UCS-2 when the text
 * needs it, split by UDH (153/67 per part) or sent whole in message_payload,
 * each part asking for a receipt and valid until the code expires.
 */
export class SmppSmsSender {
  #reference = randomInt(256);

  constructor(private readonly client: SmppClient, private readonly endpoint: SmppEndpoint) {}

  async send(request: SmsRequest): Promise<SubmittedSms> {
    const from = request.from ?? this.endpoint.sourceAddr ?? '';
    const source = addressOf(from);
    const destination = addressOf(request.to);
    const segmented = segmentText(request.text, { method: this.endpoint.segmentation, ref: this.#nextReference() });
    const base = {
      source_addr: source.addr,
      source_addr_ton: this.endpoint.sourceTon ?? source.ton,
      source_addr_npi: this.endpoint.sourceNpi ?? source.npi,
      destination_addr: destination.addr,
      dest_addr_ton: destination.ton,
      dest_addr_npi: destination.npi,
      data_coding: segmented.dataCoding,
      registered_delivery: REGISTERED_DELIVERY.SUCCESS_OR_FAILURE,
      // Rounded down: an SMS must never be delivered after its code has expired.
      validity_period: request.validUntil !== undefined ? absoluteTime(Math.floor(request.validUntil / 1000) * 1000) : '',
    };
    const pdus = segmented.messagePayload
      ? [{ ...base, esm_class: 0, short_message: Buffer.alloc(0), message_payload: segmented.messagePayload }]
      : segmented.parts.map((part) => ({ ...base, esm_class: part.esmClassUdhi ? ESM_CLASS.UDHI : 0, short_message: part.shortMessage }));
    const messageIds: string[] = [];
    try {
      // Parts go out concurrently: the client's window bounds how many are outstanding.
      const responses = await Promise.all(pdus.map((pdu) => this.client.submit(pdu)));
      for (const [i, response] of responses.entries()) {
        if (response.command_status !== CommandStatus.ESME_ROK) throw SmsSendError.fromStatus(response.command_status, i + 1, pdus.length);
        messageIds.push(String(response.message_id ?? ''));
      }
    } catch (error) {
      throw SmsSendError.fromFailure(error);
    }
    const matchKeys = messageIds.map((id) => messageIdKey(id, this.endpoint.msgIdType, 'submit'));
    return { messageIds, matchKeys, dataCoding: segmented.dataCoding };
  }

  #nextReference(): number {
    this.#reference = (this.#reference + 1) % 256;
    return this.#reference;
  }
}
