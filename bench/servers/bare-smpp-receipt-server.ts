// The like-for-like reference: the least an SMSC can do on the `smpp` package for the PDUs the simulator
// exchanges per message — submit_sm answered with a message id, then a delivery receipt sent as deliver_sm
// (Appendix B text, receipted_message_id and message_state TLVs) and its deliver_sm_resp read, at most
// DELIVER_WINDOW deliver_sm outstanding per session as the simulator keeps by default (the same flow on the wire).
// No storage, no outcome, no retries. unbind is answered so the client can leave politely.
import type { PackageSession } from '../lib/smpp-api';
import { serveSmppUntilTold } from '../lib/smpp-server-entry';

const DELIVERED = 2;
const DELIVER_WINDOW = 10;
let nextId = 0;

/** YYMMDDhhmm in UTC, as receipts carry it. */
function receiptDate(at: Date): string {
  return at.toISOString().slice(2, 16).replace(/[-T:]/g, '');
}

/** The first 20 characters of the message, however the package decoded it. */
function quoted(shortMessage: unknown): string {
  const message = Buffer.isBuffer(shortMessage) ? shortMessage.toString('latin1') : (shortMessage as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message.slice(0, 20) : '';
}

function serve(session: PackageSession): void {
  let inFlight = 0;
  const waiting: Record<string, unknown>[] = [];
  const deliver = (fields: Record<string, unknown>) => {
    inFlight++;
    session.deliver_sm(fields, () => {
      inFlight--;
      const next = waiting.shift();
      if (next) deliver(next);
    });
  };
  session.on('error', () => undefined);
  session.socket.setNoDelay(true); // as the simulator's listener does: neither side is slowed by Nagle
  for (const bind of ['bind_transmitter', 'bind_receiver', 'bind_transceiver']) {
    session.on(bind, (pdu) => session.send(pdu.response({ system_id: 'bare' })));
  }
  session.on('submit_sm', (pdu) => {
    const id = (++nextId).toString(16).padStart(16, '0');
    session.send(pdu.response({ message_id: id }));
    const date = receiptDate(new Date());
    const text = quoted(pdu['short_message']);
    const receipt = {
      source_addr_ton: 1,
      source_addr_npi: 1,
      source_addr: pdu['destination_addr'],
      dest_addr_ton: 5,
      dest_addr_npi: 1,
      destination_addr: pdu['source_addr'],
      esm_class: 0x04,
      data_coding: 0,
      short_message: `id:${id} sub:001 dlvrd:001 submit date:${date} done date:${date} stat:DELIVRD err:000 text:${text}`,
      receipted_message_id: id,
      message_state: DELIVERED,
    };
    if (inFlight < DELIVER_WINDOW) deliver(receipt);
    else waiting.push(receipt);
  });
  session.on('unbind', (pdu) => {
    session.send(pdu.response());
    session.close();
  });
}

await serveSmppUntilTold(serve);
