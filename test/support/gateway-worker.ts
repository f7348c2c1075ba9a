// A gateway in its own process, for tests that kill it: `node COMPILED_WORKER DB_FILE SMPP_URL [LEASE_MS]`
// (compileWorker). It sends what the outbox holds and prints one line per event.
import { Gateway } from '../../gateway/gateway';
import { parseSmppUrl } from '../../gateway/smpp';
import { openSqliteOutbox } from '../../gateway/outbox';

const [file, url, leaseMs] = process.argv.slice(2);
const store = openSqliteOutbox(file!);
const gateway = new Gateway({
  outbox: store.outbox,
  smpp: parseSmppUrl(url!),
  dispatcher: { pollMs: 50, leaseMs: leaseMs ? Number(leaseMs) : undefined, backoff: { initialMs: 50, maxMs: 200, jitter: 0 } },
  smppClient: { reconnect: { initialMs: 50, maxMs: 200, jitter: 0 } },
});
gateway.on('sent', (row) => process.stdout.write(`sent ${row.id}\n`));
gateway.dispatcher.on('reclaimed', (owner, rows) => process.stdout.write(`reclaimed ${rows} ${owner}\n`));
gateway.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => void gateway.stop().then(() => store.close()).then(() => process.exit(0)));
