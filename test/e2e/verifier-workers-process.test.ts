// `verigate verifier --workers 2` as operators run it on a multi-core machine: two verifier processes behind
// one port, on one SQLite file, each with its own binds to one `verigate simulator` that spreads receipts over
// every bind (so a receipt often reaches the worker that did not submit). A start on one worker is checked on
// the other (the metrics say which answered), every SMS reaches the SMSC once, every receipt is matched; a SIGKILLed
// worker is replaced and loses no accepted start. Bad --workers values stop the CLI with exit 2.
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startSimulatorProcess, type CliProcess } from '../support/cli-process';
import { waitFor } from '../support/wait-for';

const sid = 'AC' + '3c'.repeat(16);
const token = 'workers-e2e-token';
const env = { VERIGATE_ACCOUNT_SID: sid, VERIGATE_AUTH_TOKEN: token };
const authorization = `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`;
const dir = mkdtempSync(join(tmpdir(), 'verigate-workers-'));

/**
 * One request on a connection of its own (no keep-alive): the cluster hands out connections, not requests,
 * so a fresh connection per request is what spreads a client's calls over the workers.
 */
function call(port: number, method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<{ status: number; text: string }> {
  const body = form ? new URLSearchParams(form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false, headers: { authorization, ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    // A connection that dies with its worker fails at once; this only bounds a hang, below the tests' timeouts.
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${method} ${path}`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function postOn(client: Client, path: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await client.request({ method: 'POST', path, headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

async function post(port: number, path: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const { status, text } = await call(port, 'POST', path, form);
  return { status, body: JSON.parse(text) as Record<string, unknown> };
}

/** The value of each series of `name` on the verifier's /metrics, by its `worker` label. */
async function perWorker(port: number, name: string, labels = ''): Promise<Map<string, number>> {
  const { text } = await call(port, 'GET', '/metrics');
  const series = new RegExp(`^${name}\\{${labels}${labels ? ',' : ''}worker="(\\d+)"\\} (\\d+)$`, 'gm');
  return new Map([...text.matchAll(series)].map((m) => [m[1]!, Number(m[2])]));
}

const sum = (values: Map<string, number>) => [...values.values()].reduce((a, b) => a + b, 0);
const digits = (number: string) => number.replace(/\D/g, '');
const codeIn = (text: string | undefined) => /\b(\d{6})\b/.exec(text ?? '')?.[1];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * `verigate COMMAND --workers 2 …` until its banner. Three processes each load the whole CLI first: on a loaded
 * machine that takes longer than the 15 s the shared start helpers allow, so this waits up to 40 s.
 */
async function startWithWorkers(args: string[]): Promise<CliProcess> {
  const [command, ...rest] = args;
  const cli = runCli([command!, '--workers', '2', '--log-level', 'warn', ...rest], env);
  await waitFor(`verigate ${command} --workers 2 to start`, () => /^Try:/m.test(cli.stdout()) || cli.child.exitCode !== null, 40_000).catch(() => cli.kill('SIGKILL'));
  if (!/^Try:/m.test(cli.stdout())) throw new Error(`verigate ${command} --workers 2 did not start:\n${cli.stdout()}\n${cli.stderr()}`);
  return cli;
}

const port = (cli: CliProcess, label: string) => Number(new RegExp(`${label}\\s+http://[\\d.]+:(\\d+)/`).exec(cli.stdout())![1]);

describe('verigate verifier --workers 2 on one SQLite file', () => {
  let sim: CliProcess & { smppPort: number; httpPort: number };
  let cluster: CliProcess & { verifyPort: number };
  let service: string;
  const clients: Client[] = [];

  /** Every message the SMSC accepted: its texts by destination digits. */
  async function smscMessages(): Promise<Map<string, string[]>> {
    const { text } = await call(sim.httpPort, 'GET', '/api/messages?limit=10000');
    const byNumber = new Map<string, string[]>();
    for (const m of (JSON.parse(text) as { messages: { to: string; text: string }[] }).messages) byNumber.set(digits(m.to), [...(byNumber.get(digits(m.to)) ?? []), m.text]);
    return byNumber;
  }

  beforeAll(async () => {
    sim = await startSimulatorProcess(['--receipt-delay', '0', '--receipt-routing', 'any'], env);
    // A window of 1 at 25 submits/s per bind: a burst leaves rows leased and in flight on each worker's link.
    const started = await startWithWorkers(['verifier', '--verify-port', '0', '--log-level', 'info', '--data', join(dir, 'verigate.db'), '--fraud-guard', 'off',
      '--smpp', `smpp://verigate:verigate@127.0.0.1:${sim.smppPort}?window=1&tps=25`]);
    cluster = { ...started, verifyPort: port(started, 'Verify API') };
    const created = await post(cluster.verifyPort, '/v2/Services', { FriendlyName: 'Acme' });
    expect(created.status).toBe(201);
    service = String(created.body['sid']);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.destroy()));
    await cluster?.kill('SIGTERM');
    await sim?.kill('SIGKILL');
  });

  it('prints one banner naming both workers, and logs carry the worker', () => {
    expect(cluster.stdout().match(/^Verigate verifier is running\.$/gm)).toHaveLength(1);
    expect(cluster.stdout()).toMatch(/^ {2}Workers {11}2 verifier processes \(pids \d+, \d+\), one port, one database$/m);
    const ready = cluster.stdout().split('\n').filter((line) => line.includes('"msg":"verifier worker ready"')).map((line) => (JSON.parse(line) as { worker: number }).worker);
    expect(ready.sort()).toEqual([1, 2]);
  });

  it('starts on one worker are sent once, their receipts matched whichever bind they reach, and checked on the other', { timeout: 40_000 }, async () => {
    // A keep-alive connection stays with the worker that accepted it: probe new ones with a start each (the
    // metrics say which worker answered) until there is one on each worker.
    const onWorker = new Map<string, Client>();
    let probes = 0;
    await waitFor('a connection to each worker', async () => {
      const client = new Client(`http://127.0.0.1:${cluster.verifyPort}`);
      clients.push(client);
      const before = await perWorker(cluster.verifyPort, 'verigate_verifications_started_total', 'channel="sms"');
      expect((await postOn(client, `/v2/Services/${service}/Verifications`, { To: `+4915113${String(probes++).padStart(6, '0')}`, Channel: 'sms' })).status).toBe(201);
      const after = await perWorker(cluster.verifyPort, 'verigate_verifications_started_total', 'channel="sms"');
      const worker = [...after.keys()].find((w) => after.get(w)! > (before.get(w) ?? 0))!;
      if (!onWorker.has(worker)) onWorker.set(worker, client);
      return onWorker.size === 2;
    }, 15_000);
    const [one, two] = [onWorker.get('1')!, onWorker.get('2')!];

    const numbers = Array.from({ length: 40 }, (_, i) => `+4915112${String(i).padStart(6, '0')}`);
    const sids = new Map<string, unknown>();
    const startedBefore = await perWorker(cluster.verifyPort, 'verigate_verifications_started_total', 'channel="sms"');
    await Promise.all(numbers.map(async (to, i) => {
      const started = await postOn(i % 2 === 0 ? one : two, `/v2/Services/${service}/Verifications`, { To: to, Channel: 'sms' });
      expect(started.status).toBe(201);
      sids.set(to, started.body['sid']);
    }));
    const started = await perWorker(cluster.verifyPort, 'verigate_verifications_started_total', 'channel="sms"');
    expect(['1', '2'].map((w) => started.get(w)! - (startedBefore.get(w) ?? 0))).toEqual([20, 20]);

    // Every receipt matched: counted as delivered by the worker whose bind it reached, or by the sender when it beat the send.
    const total = numbers.length + probes;
    await waitFor('a delivered receipt for every SMS', async () => sum(await perWorker(cluster.verifyPort, 'verigate_gateway_receipts_total', 'outcome="delivered"')) === total, 15_000);
    expect(sum(await perWorker(cluster.verifyPort, 'verigate_gateway_acknowledged_total', 'route="smpp"'))).toBe(total);
    const messages = await smscMessages();
    expect(numbers.filter((to) => messages.get(digits(to))?.length !== 1)).toEqual([]);

    // Each code checked on the worker that did not start it.
    await Promise.all(numbers.map(async (to, i) => {
      const check = await postOn(i % 2 === 0 ? two : one, `/v2/Services/${service}/VerificationCheck`, { To: to, Code: codeIn(messages.get(digits(to))![0]) ?? '' });
      expect(check.body).toMatchObject({ status: 'approved', valid: true, sid: sids.get(to) });
    }));
    const approved = await perWorker(cluster.verifyPort, 'verigate_verification_checks_total', 'result="approved"');
    expect(['1', '2'].map((w) => approved.get(w))).toEqual([20, 20]);
  });

  it('replaces a SIGKILLed worker, and every start it had accepted reaches the SMSC and checks', { timeout: 60_000 }, async () => {
    const pids = /\(pids (\d+), (\d+)\)/.exec(cluster.stdout())!.slice(1).map(Number);
    const numberOf = (i: number) => `+4915790${String(i).padStart(6, '0')}`;
    let answered = 0;
    let killed = false;
    const results = await Promise.all(Array.from({ length: 100 }, async (_, i) => {
      try {
        const started = await post(cluster.verifyPort, `/v2/Services/${service}/Verifications`, { To: numberOf(i), Channel: 'sms' });
        // Killed mid-burst, while both workers still have rows to send on their paced links.
        if (started.status === 201 && ++answered === 30) {
          process.kill(pids[0]!, 'SIGKILL');
          killed = true;
        }
        return { i, status: started.status, sid: started.body['sid'] };
      } catch {
        // The connection died with the worker: no answer, so no promise was made.
        return { i, status: 0, sid: undefined };
      }
    }));
    expect(killed).toBe(true);
    const accepted = results.filter((r) => r.status === 201);
    expect(results.filter((r) => r.status !== 201 && r.status !== 0)).toEqual([]);

    await waitFor('worker 1 replaced', () => cluster.stdout().split('\n').filter((line) => /"worker":1,"pid":\d+,"msg":"verifier worker ready"/.test(line)).length === 2, 20_000);
    expect(cluster.stdout()).toMatch(/"worker":1,.*"signal":"SIGKILL","msg":"verifier worker exited; starting another in \d+ ms"/);
    const { text } = await call(cluster.verifyPort, 'GET', '/metrics');
    expect(text).toMatch(/^verigate_cluster_worker_restarts_total 1$/m);
    expect(text).toMatch(/^verigate_cluster_workers 2$/m);

    let messages = new Map<string, string[]>();
    await waitFor('every accepted start at the SMSC', async () => {
      messages = await smscMessages();
      return accepted.every((r) => messages.has(digits(numberOf(r.i))));
    }, 20_000);
    // What the killed worker had submitted but not yet recorded goes again: its window (1) at most, and little else.
    const duplicates = accepted.reduce((n, r) => n + messages.get(digits(numberOf(r.i)))!.length - 1, 0);
    expect(duplicates).toBeLessThanOrEqual(2);
    for (let next = 0; next < accepted.length;) {
      await Promise.all(accepted.slice(next, (next += 10)).map(async (r) => {
        const check = await post(cluster.verifyPort, `/v2/Services/${service}/VerificationCheck`, { To: numberOf(r.i), Code: codeIn(messages.get(digits(numberOf(r.i)))![0]) ?? '' });
        expect(check.body).toMatchObject({ status: 'approved', sid: r.sid });
      }));
    }
  });

  it('drains and exits 0 on SIGTERM, workers included', { timeout: 20_000 }, async () => {
    const pids = [...cluster.stdout().matchAll(/"component":"cluster","worker":\d,"pid":(\d+),"msg":"verifier worker ready"/g)].map((m) => Number(m[1]));
    expect(await cluster.kill('SIGTERM')).toBe(0);
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  });
});

describe('verigate start --workers 2', () => {
  it('runs the simulator once and two verifier workers against it, and a code they send checks', { timeout: 60_000 }, async () => {
    const stack = await startWithWorkers(['start', '--verify-port', '0', '--sim-port', '0', '--smpp-port', '0', '--receipt-delay', '0', '--data', join(dir, 'start.db')]);
    const [verifyPort, simPort] = [port(stack, 'Verify API'), port(stack, 'Control API')];
    try {
      expect(stack.stdout().match(/is running\.$/gm)).toHaveLength(1);
      expect(stack.stdout()).toMatch(/^ {2}Workers {11}2 verifier processes/m);
      const created = await post(verifyPort, '/v2/Services', { FriendlyName: 'Acme' });
      const to = '+4915114000001';
      const started = await post(verifyPort, `/v2/Services/${String(created.body['sid'])}/Verifications`, { To: to, Channel: 'sms' });
      expect(started.status).toBe(201);
      const code = await waitFor('the code at the SMSC', async () => {
        const { text } = await call(simPort, 'GET', `/api/messages?to=${encodeURIComponent(to)}`);
        return codeIn((JSON.parse(text) as { messages: { text: string }[] }).messages[0]?.text);
      }, 10_000);
      const check = await post(verifyPort, `/v2/Services/${String(created.body['sid'])}/VerificationCheck`, { To: to, Code: code });
      expect(check.body).toMatchObject({ status: 'approved', valid: true });
    } finally {
      expect(await stack.kill('SIGTERM')).toBe(0);
    }
  });
});

describe('verigate verifier --workers, bad values', () => {
  it.each([
    [['--workers', '0'], {}, 'verigate: bad config: --workers: "0" must be a number from 1 to 64, or "auto"'],
    [['--workers', 'two'], {}, 'verigate: bad config: --workers: "two" must be a number from 1 to 64, or "auto"'],
    [[], { VERIGATE_WORKERS: '65' }, 'verigate: bad config: VERIGATE_WORKERS: "65" must be a number from 1 to 64, or "auto"'],
    [['--workers', '2', '--data', ':memory:'], {}, 'verigate: bad config: --workers: several verifier processes need one database on disk (--data FILE or --database), not :memory:'],
  ])('refuses %j %j with exit 2', async (args, extra, message) => {
    const cli = runCli(['verifier', '--verify-port', '0', ...args], { ...env, ...extra });
    expect(await cli.exited).toBe(2);
    expect(cli.stderr().trim()).toBe(message);
  });
});
