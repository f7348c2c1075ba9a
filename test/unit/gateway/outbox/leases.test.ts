import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { Dispatcher, OutboxStore } from '../../../../gateway/outbox';
import { openDatabase } from '../../../../gateway/storage/sqlite';
import { ManualClock } from '../../../support/manual-clock';

/** The pid of a process that has run and exited: certainly dead. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

function setup(clock: ManualClock) {
  const store = new OutboxStore(openDatabase(':memory:'));
  const ids = Array.from({ length: 3 }, (_, i) => store.enqueue({ kind: 'sms', payload: { to: `+1${i}`, text: 'x' }, expiresAt: clock.now() + 600_000 }, clock.now()));
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

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('outbox leases', () => {
  it('frees at start the rows a dead process on this machine had leased, without waiting for its lease', async () => {
    const clock = new ManualClock();
    const { store, ids, sent, dispatcher } = setup(clock);
    const deadOwner = `${hostname()}:${await deadPid()}:abc123`;
    expect(store.claimDue(deadOwner, clock.now(), 60_000, 10)).toHaveLength(3);
    const d = dispatcher();
    const reclaimed: [string, number][] = [];
    d.on('reclaimed', (owner, rows) => reclaimed.push([owner, rows]));
    d.start();
    clock.advance(0);
    await settle();
    expect(reclaimed).toEqual([[deadOwner, 3]]);
    expect(sent.sort()).toEqual([...ids].sort());
    await d.stop();
  });

  it("leaves a live process's leases and another machine's alone until they run out", async () => {
    const clock = new ManualClock();
    const { store, sent, dispatcher } = setup(clock);
    store.claimDue(`${hostname()}:${process.ppid}:abc123`, clock.now(), 5_000, 1);
    store.claimDue(`elsewhere.example:${await deadPid()}:abc123`, clock.now(), 5_000, 1);
    const d = dispatcher();
    d.start();
    clock.advance(0);
    await settle();
    expect(sent).toHaveLength(1);
    clock.advance(5_000);
    await settle();
    expect(sent).toHaveLength(3);
    await d.stop();
  });

  it('renews the leases of rows in flight, so a slow send is never taken over by another instance', async () => {
    const clock = new ManualClock();
    const { store, sent, dispatcher } = setup(clock);
    let release!: () => void;
    const slow = dispatcher(new Promise<void>((resolve) => { release = resolve; }));
    slow.start();
    clock.advance(0);
    expect(slow.inFlight).toBe(3);
    // A minute of waiting on the SMSC: twelve lease lengths.
    for (let i = 0; i < 60; i++) clock.advance(1_000);
    expect(store.claimDue('another-instance', clock.now(), 5_000, 10)).toEqual([]);
    release();
    await slow.stop();
    expect(sent).toHaveLength(3);
    expect(store.counts()).toMatchObject({ sent: 3, pending: 0 });
  });
});
