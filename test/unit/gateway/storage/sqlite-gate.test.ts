// Group commit on the SQLite unit of work, on a real file through the verifier's repositories: the
// transactions of one turn share a COMMIT, each settles only once another connection can read it, a throw
// rolls back that one only, and work outside a transaction waits for the commit.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../../../verifier/store/open-storage';
import type { VerifierStorage } from '../../../../verifier/store/storage';
import { aService } from '../../../contract/core-fixtures';
import { ACCOUNT } from '../../../contract/surface-fixtures';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A writer and a reader: two storages (two connections) on one file. */
async function twoConnections(): Promise<{ writer: VerifierStorage; reader: VerifierStorage; walBytes: () => number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'verigate-gate-'));
  const file = path.join(dir, 'verigate.db');
  const writer = await openStorage({ dataFile: file });
  const reader = await openStorage({ dataFile: file });
  cleanups.push(async () => {
    await reader.close();
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { writer, reader, walBytes: () => statSync(`${file}-wal`).size };
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

  it('makes work outside a transaction wait for the commit: it reads what is committed, never before', async () => {
    const { writer, reader } = await twoConnections();
    const service = aService();
    const transaction = writer.transaction((tx) => tx.services.insert(service));
    // Called while the group is open: answered after its COMMIT, so another connection already sees the row too.
    const outside = writer.services.get(ACCOUNT, service.sid).then(async (found) => ({ found, elsewhere: await reader.services.get(ACCOUNT, service.sid) }));
    await transaction;
    const { found, elsewhere } = await outside;
    expect(found?.sid).toBe(service.sid);
    expect(elsewhere?.sid).toBe(service.sid);
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
