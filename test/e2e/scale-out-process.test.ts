// Scale-out as operators run it (issue 13): `verigate migrate` once, then two `verigate verifier` processes on
// one throwaway PostgreSQL, each with its own binds to one `verigate simulator` that spreads receipts over every
// bind. Starts and checks alternate between the instances; one is SIGKILLed in the middle of a burst of starts
// while it holds outbox leases; the survivor takes its rows over when their leases end, every start that
// answered 201 reaches the SMSC, few twice, and every code checks on the survivor.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../verifier/store/open-storage';
import type { VerifierStorage } from '../../verifier/store/storage';
import { available, postgres } from '../support/components';
import { runCli, startSimulatorProcess, startVerifierProcess, type CliProcess } from '../support/cli-process';
import { startPostgres, type ThrowawayPostgres } from '../support/postgres';
import { waitFor } from '../support/wait-for';

const runs = available(postgres(), 'scale-out: two verifiers on PostgreSQL, one killed');
const sid = 'AC' + '7e'.repeat(16);
const token = 'scale-out-e2e-token';
const env = { VERIGATE_ACCOUNT_SID: sid, VERIGATE_AUTH_TOKEN: token, VERIGATE_CODE_KEY: randomBytes(32).toString('base64') };
const auth = { authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}` };
// Short, so the survivor takes the dead instance's rows over within the test; renewed every 800 ms meanwhile.
const LEASE_MS = 4_000;
const BURST = 300;

type Verifier = CliProcess & { verifyPort: number };

interface SmscMessage {
  to: string;
  text: string;
}

async function post(port: number, path: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const digits = (number: string) => number.replace(/\D/g, '');

describe.runIf(runs)('two verifier processes on one PostgreSQL, one killed mid-burst', () => {
  let server: ThrowawayPostgres;
  let url: string;
  let sim: CliProcess & { smppPort: number; httpPort: number };
  let storage: VerifierStorage;
  let a: Verifier;
  let b: Verifier;
  let service: string;
  const processes: CliProcess[] = [];

  /** Every message the SMSC accepted, by destination digits. */
  async function smscMessages(): Promise<Map<string, SmscMessage[]>> {
    const response = await fetch(`http://127.0.0.1:${sim.httpPort}/api/messages?limit=10000`, { headers: auth });
    const { messages } = (await response.json()) as { messages: SmscMessage[] };
    const byNumber = new Map<string, SmscMessage[]>();
    for (const message of messages) byNumber.set(digits(message.to), [...(byNumber.get(digits(message.to)) ?? []), message]);
    return byNumber;
  }

  const codeIn = (message: SmscMessage | undefined) => /\b(\d{6})\b/.exec(message?.text ?? '')?.[1];

  async function codeSentTo(number: string): Promise<string> {
    return waitFor(`the code sent to ${number} at the SMSC`, async () => codeIn((await smscMessages()).get(digits(number))?.[0]), 10_000);
  }

  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase('verigate');
    const migrate = runCli(['migrate', '--database', url], env);
    expect(await migrate.exited, migrate.stderr()).toBe(0);
    expect(migrate.stdout()).toMatch(/^applied \d+ migrations: /);

    sim = await startSimulatorProcess(['--receipt-delay', '0', '--receipt-routing', 'any'], env);
    processes.push(sim);
    // Each instance its own binds. A, the one to be killed, is paced to 10 submits/s: the rows it claims wait,
    // leased, on its link, so it dies holding some. What a killed instance sends twice is what it had sent but not
    // yet recorded: its window (here 1) and the sends whose record was still on its way to the database.
    const args = (link: string) => ['--database', url, '--smpp', `smpp://verigate:verigate@127.0.0.1:${sim.smppPort}?${link}`,
      '--fraud-guard', 'off', '--outbox-lease', String(LEASE_MS)];
    [a, b] = await Promise.all([startVerifierProcess(args('window=1&tps=10'), env), startVerifierProcess(args('window=2&tps=200'), env)]) as [Verifier, Verifier];
    processes.push(a, b);
    // The test's own view of the shared outbox, through the repository the dispatchers use.
    storage = await openStorage({ databaseUrl: url });
    const created = await post(a.verifyPort, '/v2/Services', { FriendlyName: 'Acme' });
    expect(created.status).toBe(201);
    service = String(created.body['sid']);
  }, 60_000);

  afterAll(async () => {
    await storage?.close();
    for (const p of processes) await p.kill('SIGKILL');
    await server?.stop();
  });

  it('migrate has left nothing for the instances to apply, and one refuses a lease under a second', async () => {
    const again = runCli(['migrate', '--database', url], env);
    expect(await again.exited).toBe(0);
    expect(again.stdout().trim()).toBe('the database is up to date');
    const bad = runCli(['verifier', '--outbox-lease', '500'], env);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr().trim()).toBe('verigate: bad config: --outbox-lease: 500 is outside 1000..600000 ms');
  });

  it('starts on one instance are checked on the other, both ways', { timeout: 40_000 }, async () => {
    for (let i = 0; i < 4; i++) {
      const [starter, checker] = i % 2 === 0 ? [a, b] : [b, a];
      const to = `+4915112${String(i).padStart(6, '0')}`;
      const started = await post(starter.verifyPort, `/v2/Services/${service}/Verifications`, { To: to, Channel: 'sms' });
      expect(started.status).toBe(201);
      const code = await codeSentTo(to);
      const check = await post(checker.verifyPort, `/v2/Services/${service}/VerificationCheck`, { To: to, Code: code });
      expect(check.body).toMatchObject({ status: 'approved', valid: true, sid: started.body['sid'] });
    }
  });

  it('a SIGKILL mid-burst loses no accepted start: the survivor takes the leases over, sends every one, and checks every code', { timeout: 120_000 }, async () => {
    const deadOwner = (owners: string[]) => owners.find((owner) => new RegExp(`:${a.child.pid}:[0-9a-f]+$`).test(owner));
    const numberOf = (i: number) => `+4915790${String(i).padStart(6, '0')}`;
    let answeredByA = 0;
    let killedAt = 0;
    let heldAtKill: string | undefined;
    let kill: Promise<void> | undefined;
    // Killed once it has answered 20 starts and holds leases: rows claimed, in flight on its paced link.
    const killA = async () => {
      await waitFor('instance A to hold outbox leases', async () => deadOwner(await storage.outbox.leaseOwners(Date.now())), 15_000);
      a.child.kill('SIGKILL');
      killedAt = Date.now();
      await a.exited;
      heldAtKill = deadOwner(await storage.outbox.leaseOwners(Date.now()));
    };

    const results = await Promise.all(Array.from({ length: BURST }, async (_, i) => {
      const instance = i % 2 === 0 ? a : b;
      try {
        const started = await post(instance.verifyPort, `/v2/Services/${service}/Verifications`, { To: numberOf(i), Channel: 'sms' });
        if (instance === a && started.status === 201 && ++answeredByA === 20) kill = killA();
        return { i, on: instance === a ? 'A' : 'B', status: started.status, sid: String(started.body['sid']) };
      } catch {
        // The connection died with instance A: no answer, so no promise was made.
        return { i, on: instance === a ? 'A' : 'B', status: 0, sid: '' };
      }
    }));
    expect(kill).toBeDefined();
    await kill;
    expect(a.child.signalCode).toBe('SIGKILL');
    // A died holding rows: only their leases running out lets the survivor send them.
    expect(heldAtKill).toBeDefined();

    const accepted = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201 && r.status !== 0);
    expect(refused).toEqual([]);
    expect(accepted.filter((r) => r.on === 'B')).toHaveLength(BURST / 2);
    const cut = results.filter((r) => r.status === 0).length;

    let messages = new Map<string, SmscMessage[]>();
    await waitFor('every accepted start at the SMSC', async () => {
      messages = await smscMessages();
      return accepted.every((r) => messages.has(digits(numberOf(r.i))));
    }, 45_000);
    const takeoverMs = Date.now() - killedAt;
    // Starts cut off with A may have committed too: their rows are sent as well, so the outbox drains.
    await waitFor('the outbox to drain', async () => (await storage.outbox.counts()).pending === 0, 15_000);
    messages = await smscMessages();
    const burst = [...messages.entries()].filter(([number]) => number.startsWith(digits('+4915790')));
    const duplicates = burst.reduce((sum, [, list]) => sum + list.length - 1, 0);
    process.stdout.write(`scale-out SIGKILL: ${accepted.length} starts answered 201 (${BURST / 2 - cut} of them by A, ${cut} cut off), ` +
      `all at the SMSC ${takeoverMs} ms after the kill (lease ${LEASE_MS} ms), ${duplicates} sent twice (${((100 * duplicates) / accepted.length).toFixed(2)} %)\n`);
    expect(duplicates / accepted.length).toBeLessThanOrEqual(0.02);

    // Every code, whichever instance started it and whichever sent it, checks on the survivor.
    const checks: { to: string; status: unknown }[] = [];
    for (let next = 0; next < accepted.length;) {
      const batch = accepted.slice(next, (next += 20));
      checks.push(...(await Promise.all(batch.map(async (r) => {
        const code = codeIn(messages.get(digits(numberOf(r.i)))![0]);
        const check = await post(b.verifyPort, `/v2/Services/${service}/VerificationCheck`, { To: numberOf(r.i), Code: code ?? '' });
        expect(check.body['sid']).toBe(r.sid);
        return { to: numberOf(r.i), status: check.body['status'] };
      }))));
    }
    expect(checks.filter((c) => c.status !== 'approved')).toEqual([]);

    // And the survivor still starts and checks on its own.
    const after = await post(b.verifyPort, `/v2/Services/${service}/Verifications`, { To: '+4915112999999', Channel: 'sms' });
    expect(after.status).toBe(201);
    const check = await post(b.verifyPort, `/v2/Services/${service}/VerificationCheck`, { To: '+4915112999999', Code: await codeSentTo('+4915112999999') });
    expect(check.body).toMatchObject({ status: 'approved', valid: true });
  });
});
