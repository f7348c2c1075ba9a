import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { Dispatcher, openSqliteOutbox } from '../../../../gateway/outbox';
import { ManualClock } from '../../../support/manual-clock';
import { waitFor } from '../../../support/wait-for';

const closes: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closes.splice(0)) await close();
});

/** The pid of a process that has run and exited: certainly dead. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

async function setup(clock: ManualClock) {
  const opened = openSqliteOutbox(':memory:');
  closes.push(opened.close);
  const store = opened.outbox;
  const ids = await Promise.all(Array.from({ length: 3 }, (_, i) => store.enqueue({ kind: 'sms', payload: { to: `+1${i}`, text: 'x' }, expiresAt: clock.now() + 600_000 }, clock.now())));
  const sent: string[] = [];
  const dispatcher = (release?: Promise<void>) => new Dispatcher({
    store,
    clock,
    leaseMs: 5_000,
    pollMs: 100,
    sender: { send: async (row) => { await release; sent.push(row.id); return { route: 'test', result: {} }; } },
  });
  return { store, ids, sent, dispatcher };
}

/**
 * Waits for `what`, moving the manual clock `stepMs` at each look so that the dispatcher's timers fire
 * (0: only its wake-ups at this instant).
 */
const until = <T>(clock: ManualClock, what: string, probe: () => T | Promise<T>, stepMs = 0) => waitFor(what, async () => {
  clock.advance(stepMs);
  return probe();
});

describe('outbox leases', () => {
  it('frees at start the rows a dead process on this machine had leased, without waiting for its lease', async () => {
    const clock = new ManualClock();
    const { store, ids, sent, dispatcher } = await setup(clock);
    const deadOwner = `${hostname()}:${await deadPid()}:abc123`;
    expect(await store.claimDue(deadOwner, clock.now(), 60_000, 10)).toHaveLength(3);
    const d = dispatcher();
    const reclaimed: [string, number][] = [];
    d.on('reclaimed', (owner, rows) => reclaimed.push([owner, rows]));
    d.start();
    await until(clock, 'the three rows sent', () => sent.length === 3);
    expect(reclaimed).toEqual([[deadOwner, 3]]);
    expect(sent.sort()).toEqual([...ids].sort());
    await d.stop();
  });

  it("leaves a live process's leases and another machine's alone until they run out", async () => {
    const clock = new ManualClock();
    const { store, sent, dispatcher } = await setup(clock);
    await store.claimDue(`${hostname()}:${process.ppid}:abc123`, clock.now(), 5_000, 1);
    await store.claimDue(`elsewhere.example:${await deadPid()}:abc123`, clock.now(), 5_000, 1);
    const d = dispatcher();
    d.start();
    await until(clock, 'the free row sent', () => sent.length === 1);
    // Its own claim came back short: the dispatcher waits for the leases' end, and claims nothing before.
    expect(await store.counts()).toMatchObject({ sent: 1, pending: 2 });
    clock.advance(4_999);
    expect(await store.claimDue('another-instance', clock.now(), 5_000, 10)).toEqual([]);
    await until(clock, 'the other two sent once their leases ran out', () => sent.length === 3, 100);
    await d.stop();
  });

  it('renews the leases of rows in flight, so a slow send is never taken over by another instance', async () => {
    const clock = new ManualClock();
    const { store, sent, dispatcher } = await setup(clock);
    let release!: () => void;
    const slow = dispatcher(new Promise<void>((resolve) => { release = resolve; }));
    slow.start();
    await until(clock, 'three rows in flight', () => slow.inFlight === 3);
    // A minute of waiting on the SMSC: twelve lease lengths.
    for (let i = 0; i < 60; i++) {
      clock.advance(1_000);
      await store.counts();
    }
    expect(await store.claimDue('another-instance', clock.now(), 5_000, 10)).toEqual([]);
    release();
    await slow.stop();
    expect(sent).toHaveLength(3);
    expect(await store.counts()).toMatchObject({ sent: 3, pending: 0 });
  });
});
