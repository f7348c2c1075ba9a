// The reference: the least an SMSC can do on the `smpp` package — answer bind and
// submit_sm (with a message id), no storage, no receipts. unbind is answered so the client can leave politely.
import type { PackageSession } from '../lib/smpp-api';
import { serveSmppUntilTold } from '../lib/smpp-server-entry';

let nextId = 0;

function serve(session: PackageSession): void {
  session.on('error', () => undefined);
  session.socket.setNoDelay(true); // as the simulator's listener does: neither side is slowed by Nagle
  for (const bind of ['bind_transmitter', 'bind_receiver', 'bind_transceiver']) {
    session.on(bind, (pdu) => session.send(pdu.response({ system_id: 'bare' })));
  }
  session.on('submit_sm', (pdu) => session.send(pdu.response({ message_id: (++nextId).toString(16) })));
  session.on('unbind', (pdu) => {
    session.send(pdu.response());
    session.close();
  });
}

await serveSmppUntilTold(serve);
