// Group commit on the SQLite unit of work, on a real file through the verifier's repositories: the
// transactions of one turn share a COMMIT, each settles only once another connection can read it, a throw
// rolls back that one only; outside a transaction, a read sees only what is committed and waits for
// nothing, and a write is a transaction of its own in the group.
import { readFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../../../verifier/store/open-storage';
import type { VerifierStorage } from '../../../../verifier/store/storage';
import { aService, T0 } from '../../../contract/core-fixtures';
import { ACCOUNT } from '../../../contract/surface-fixtures';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A writer and a reader: two storages (two connections) on one file. */
async function twoConnections(): Promise<{ writer: VerifierStorage; reader: VerifierStorage; walBytes: () => number; fileBytes: () => Buffer }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'verigate-gate-'));
  const file = path.join(dir, 'verigate.db');
  const writer = await openStorage({ dataFile: file });
  const reader = await openStorage({ dataFile: file });
  cleanups.push(async () => {
    await reader.close();
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    writer,
    reader,
    walBytes: () => statSync(`${file}-wal`).size,
    fileBytes: () => Buffer.concat([file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f))),
  };
}

describe('SQLite unit of work: group commit', () => {
  it('commits the transactions of one turn together, each settling once another connection reads it', async () => {
    const { writer, reader, walBytes } = await twoConnections();
    // One after the other: a commit each.
    let before = walBytes();
    for (let i = 0; i < 20; i++) await writer.transaction((tx) => tx.services.insert(aService()));
    const oneByOne = walBytes() - before;
    // Twenty at once: one group.
    const services = Array.from({ length: 20 }, () => aService());
    const seenAtSettle: boolean[] = [];
    before = walBytes();
    await Promise.all(services.map((service) => writer.transaction(async (tx) => {
      await tx.services.insert(service);
      return service.sid;
    }).then(async (sid) => seenAtSettle.push((await reader.services.get(ACCOUNT, sid)) !== undefined))));
    const together = walBytes() - before;
    expect(seenAtSettle).toEqual(Array(20).fill(true));
    expect(oneByOne).toBeGreaterThan(0);
    expect(together * 4).toBeLessThan(oneByOne);
  });

  it('rolls back only the transaction that throws, and hands its error back', async () => {
    const { writer, reader } = await twoConnections();
    const [a, b, c, d] = [aService(), aService(), aService(), aService()];
    const failure = new Error('refused');
    const results = await Promise.allSettled([
      writer.transaction((tx) => tx.services.insert(a)),
      writer.transaction(async (tx) => {
        await tx.services.insert(b);
        throw failure;
      }),
      writer.transaction((tx) => tx.services.insert(c)),
      // A constraint error of SQLite's own, after a write of the same unit.
      writer.transaction(async (tx) => {
        await tx.services.insert(d);
        await tx.services.insert(a);
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toBe(failure);
    const stored = await Promise.all([a, b, c, d].map((s) => reader.services.get(ACCOUNT, s.sid)));
    expect(stored.map((s) => s !== undefined)).toEqual([true, false, true, false]);
  });

  it('answers a read outside a transaction from what is committed, at once: never from the open group', async () => {
    const { writer } = await twoConnections();
    const service = aService();
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let written!: () => void;
    const inserted = new Promise<void>((resolve) => { written = resolve; });
    const transaction = writer.transaction(async (tx) => {
      await tx.services.insert(service);
      written();
      await held;
    });
    await inserted;
    // The group is open, its insert not committed: the read neither waits for it nor sees it.
    expect(await writer.services.get(ACCOUNT, service.sid)).toBeUndefined();
    release();
    await transaction;
    expect((await writer.services.get(ACCOUNT, service.sid))?.sid).toBe(service.sid);
  });

  it('runs a write outside a transaction as a transaction of its own in the group: settled after the COMMIT, never undone by another', async () => {
    const { writer, reader, walBytes } = await twoConnections();
    const held = aService();
    let release!: () => void;
    const holding = new Promise<void>((resolve) => { release = resolve; });
    let written!: () => void;
    const inserted = new Promise<void>((resolve) => { written = resolve; });
    const failing = writer.transaction(async (tx) => {
      await tx.services.insert(held);
      written();
      await holding;
      throw new Error('rolled back');
    }).catch((error: Error) => error.message);
    await inserted;
    // Twenty writes made outside, while that transaction is open: they wait for it, survive its rollback and share its COMMIT.
    const services = Array.from({ length: 20 }, () => aService());
    const before = walBytes();
    const outside = services.map((service) => writer.services.insert(service).then(async () => (await reader.services.get(ACCOUNT, service.sid)) !== undefined));
    release();
    expect(await failing).toBe('rolled back');
    expect(await Promise.all(outside)).toEqual(Array(20).fill(true));
    expect(await reader.services.get(ACCOUNT, held.sid)).toBeUndefined();
    // One commit for the twenty (a commit each wrote a WAL frame per touched page each time).
    const grouped = walBytes() - before;
    const oneBefore = walBytes();
    for (const service of Array.from({ length: 20 }, () => aService())) await writer.services.insert(service);
    expect(grouped * 4).toBeLessThan(walBytes() - oneBefore);
  });

  it('rejects an outside write that fails, alone: the writes grouped with it commit', async () => {
    const { writer, reader } = await twoConnections();
    const [a, b] = [aService(), aService()];
    await writer.services.insert(a);
    const results = await Promise.allSettled([writer.services.insert(b), writer.services.insert(a), writer.transaction((tx) => tx.services.get(ACCOUNT, b.sid))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect((await reader.services.get(ACCOUNT, b.sid))?.sid).toBe(b.sid);
  });

  it('erases securely inside a group: the WAL is emptied once the group committed, before the erasure settles', async () => {
    const { writer, fileBytes } = await twoConnections();
    const secret = `secret-${'x'.repeat(40)}-${Date.now()}`;
    await writer.secrets.getOrCreate('legacy-key', () => secret, T0);
    expect(fileBytes().includes(Buffer.from(secret))).toBe(true);
    // Made together with other writes, so the erasure is one unit of a group and its checkpoint waits for the COMMIT.
    await Promise.all([writer.services.insert(aService()), writer.secrets.erase('legacy-key'), writer.services.insert(aService())]);
    expect(await writer.secrets.get('legacy-key')).toBeUndefined();
    expect(fileBytes().includes(Buffer.from(secret))).toBe(false);
  });

  it('closes behind an open group only after its commit', async () => {
    const { writer, reader } = await twoConnections();
    const service = aService();
    const done = writer.transaction((tx) => tx.services.insert(service));
    await writer.close();
    await done;
    expect((await reader.services.get(ACCOUNT, service.sid))?.sid).toBe(service.sid);
  });
});
