// The ESME against an SMSC that times out, throttles, forgets our bind and sends PDUs without a response.
import { afterEach, describe, expect, it } from 'vitest';
import { CommandStatus, parseSmppUrl, SmppClient, SmppTimeoutError } from '../../../../gateway/smpp';
import { HostileSmsc } from '../../../support/hostile-smsc';
import { waitFor } from '../../../support/wait-for';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function smsc(): Promise<HostileSmsc> {
  const server = await HostileSmsc.start();
  cleanups.push(() => server.close());
  return server;
}

function client(port: number, query = '', options: { responseTimeoutMs?: number } = {}): SmppClient {
  const c = new SmppClient({
    endpoint: parseSmppUrl(`smpp://verigate:verigate@127.0.0.1:${port}${query}`),
    onDeliver: () => 0,
    reconnect: { initialMs: 20, maxMs: 100, jitter: 0 },
    responseTimeoutMs: options.responseTimeoutMs ?? 2_000,
  });
  cleanups.push(() => c.stop());
  return c;
}

const submit = (to: string) => ({ source_addr: 'Verigate', destination_addr: to, short_message: Buffer.from('code') });

describe('SMPP client against a hostile SMSC', () => {
  it('counts a timed-out submit in the window until its late response arrives', async () => {
    const server = await smsc();
    let answerLate!: () => void;
    const late = new Promise<void>((resolve) => { answerLate = resolve; });
    server.onSubmit = ({ index }) => (index < 2 ? { after: late } : {});
    const esme = client(server.port, '?window=2', { responseTimeoutMs: 200 });
    esme.start();
    await esme.waitUntilBound();
    const results = ['+1', '+2', '+3', '+4'].map((to) => esme.submit(submit(to)).then((r) => r.command_status, (e: Error) => e));
    const [first, second] = await Promise.all(results.slice(0, 2));
    expect(first).toBeInstanceOf(SmppTimeoutError);
    expect(second).toBeInstanceOf(SmppTimeoutError);
    // The SMSC still counts both: the window is full until they are answered.
    expect(esme.windowInUse).toBe(2);
    expect(server.submits).toHaveLength(2);
    answerLate();
    expect(await Promise.all(results.slice(2))).toEqual([CommandStatus.ESME_ROK, CommandStatus.ESME_ROK]);
    expect(server.maxUnanswered).toBeLessThanOrEqual(2);
    expect(esme.windowInUse).toBe(0);
  });

  it('frees the slots of submits never answered when the link ends, and sends through the new bind', async () => {
    const server = await smsc();
    server.onSubmit = ({ index }) => (index < 2 ? { respond: false } : {});
    const esme = client(server.port, '?window=2', { responseTimeoutMs: 200 });
    esme.start();
    await esme.waitUntilBound();
    const timedOut = await Promise.all([esme.submit(submit('+1')).catch((e: Error) => e), esme.submit(submit('+2')).catch((e: Error) => e)]);
    expect(timedOut.every((e) => e instanceof SmppTimeoutError)).toBe(true);
    expect(esme.windowInUse).toBe(2);
    server.outage();
    server.restore();
    await waitFor('a second bind', () => server.binds >= 2 && esme.state === 'bound');
    expect(esme.windowInUse).toBe(0);
    expect((await esme.submit(submit('+3'))).command_status).toBe(CommandStatus.ESME_ROK);
  });

  it('slows the whole link when throttled and resubmits at the slower pace, instead of every message retrying in bursts', async () => {
    const server = await smsc();
    server.throttle(5);
    const esme = client(server.port, '?window=10');
    esme.start();
    await esme.waitUntilBound();
    let slowest = Infinity;
    const watch = setInterval(() => { slowest = Math.min(slowest, esme.rate); }, 10);
    cleanups.push(() => clearInterval(watch));
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => esme.submit(submit(`+49160000000${i}`)).then((r) => r.command_status)));
    const throttled = server.submits.filter((s) => s.status === CommandStatus.ESME_RTHROTTLED).length;
    process.stdout.write(`throttled SMSC (5/s): 20 messages, ${server.submits.length} submits, ${throttled} throttled, slowest rate ${slowest.toFixed(1)}/s\n`);
    expect(statuses.filter((s) => s === CommandStatus.ESME_ROK).length).toBeGreaterThanOrEqual(18);
    expect(slowest).toBeLessThanOrEqual(10);
    // Each retrying on its own, 20 messages took 80 submits; paced as one link, well under twice as many.
    expect(server.submits.length).toBeLessThan(40);
  }, 20_000);

  it('rebinds when the SMSC answers ESME_RINVBNDSTS', async () => {
    const server = await smsc();
    server.onSubmit = ({ index }) => (index === 0 ? { status: CommandStatus.ESME_RINVBNDSTS } : {});
    const esme = client(server.port);
    esme.start();
    await esme.waitUntilBound();
    expect((await esme.submit(submit('+1'))).command_status).toBe(CommandStatus.ESME_RINVBNDSTS);
    await waitFor('the rebind', () => server.binds === 2 && esme.state === 'bound');
    expect((await esme.submit(submit('+1'))).command_status).toBe(CommandStatus.ESME_ROK);
  });

  it('does not answer alert_notification (it has no response), and still answers what follows', async () => {
    const server = await smsc();
    const esme = client(server.port);
    esme.start();
    await esme.waitUntilBound();
    server.notify('alert_notification', { source_addr: '4915112345678', esme_addr: 'Verigate' });
    // A barrier: the ESME answers in order, so the enquire_link_resp comes after anything said to the alert.
    const barrier = await server.request('enquire_link');
    expect(barrier.command).toBe('enquire_link_resp');
    expect(server.received.filter((p) => p.command === 'generic_nack')).toEqual([]);
    expect(esme.state).toBe('bound');
  });
});
