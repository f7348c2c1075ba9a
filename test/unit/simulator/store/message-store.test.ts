// The simulator's store on a real SQLite file: retention deletes the oldest messages past the newest N, in
// insertion order and in batches, each with its parts, and never one still at work.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageStore, type Segment, type StoredMessage } from '../../../../simulator/store/message-store';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function openStore(): MessageStore {
  const dir = mkdtempSync(path.join(tmpdir(), 'verigate-sim-store-'));
  dirs.push(dir);
  return MessageStore.open(path.join(dir, 'simulator.db'));
}

/** A one-part MT message, accepted at `at`, its receipt in state `receipt`. */
function accept(store: MessageStore, n: number, at: number, receipt: Segment['receipt']): { message: StoredMessage; part: Segment } {
  const message: StoredMessage = {
    id: `SM${String(n).padStart(32, '0')}`, direction: 'mt', source: 'Acme', destination: '+4915100000001', body: `message ${n}`,
    dataCoding: 0, parts: 1, systemId: 'esme', status: 'delivered', createdAt: at, pushedAt: null, replacedAt: null,
  };
  const part: Segment = {
    messageId: n.toString(16).padStart(16, '0'), systemId: 'esme', source: 'Acme', destination: '+4915100000001', body: message.body,
    dataCoding: 0, concatKey: null, concatTotal: null, concatSeq: null, registeredDelivery: 1, outcome: 'delivered', state: 2,
    errorCode: 0, submittedAt: at, dueAt: at, doneAt: at, receipt, assembledInto: message.id, payload: Buffer.from(message.body),
    serviceType: '', scheduledAt: null, validUntil: null, multiId: null,
  };
  store.transaction(() => {
    store.insertMessage(message);
    store.insertSegment(part);
  });
  return { message, part };
}

describe('simulator message store retention', () => {
  it('deletes the oldest messages past the newest N with their parts, keeping one whose receipt is still due', () => {
    const store = openStore();
    try {
      // Clock values out of order: age is the order messages were stored in.
      const atWork = accept(store, 1, 5_000, 'pending');
      const stored = [2, 3, 4, 5, 6].map((n) => accept(store, n, 1_000 - n, 'sent'));
      expect(store.pruneMessages(2, 500)).toBe(3);
      expect(store.listMessages().map((m) => m.body).sort()).toEqual(['message 1', 'message 5', 'message 6']);
      for (const { message, part } of stored.slice(0, 3)) {
        expect(store.message(message.id)).toBeUndefined();
        expect(store.segment(part.messageId)).toBeUndefined();
      }
      expect(store.segmentsOf(atWork.message.id)).toEqual([expect.objectContaining({ messageId: atWork.part.messageId, receipt: 'pending' })]);
      expect(store.pruneMessages(2, 500)).toBe(0);
      // Once its receipt has gone, it goes too; a batch deletes no more than asked.
      store.setReceipt(atWork.part.messageId, 'sent');
      expect(store.pruneMessages(0, 2)).toBe(2);
      expect(store.listMessages().map((m) => m.body)).toEqual(['message 6']);
    } finally {
      store.close();
    }
  });

  it('keeps everything while there are no more than N messages', () => {
    const store = openStore();
    try {
      accept(store, 1, 1, 'sent');
      expect(store.pruneMessages(1, 500)).toBe(0);
      expect(store.pruneMessages(5, 500)).toBe(0);
      expect(store.listMessages()).toHaveLength(1);
    } finally {
      store.close();
    }
  });
});
