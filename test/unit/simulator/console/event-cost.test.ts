import { afterEach, describe, expect, it, vi } from 'vitest';
import { TestEsme } from '../../../support/esme';
import { TestEventStream, type SimulatorEvent } from '../../../support/event-stream';
import { TestHandset } from '../../../support/handset';
import { authHeader, startSimulator, type RunningSimulator } from '../../../support/simulator-harness';
import { waitFor } from '../../../support/wait-for';
import type { MessageStore } from '../../../../simulator/store/message-store';

let running: RunningSimulator;
const closers: (() => void)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) close();
  vi.restoreAllMocks();
  await running.stop();
});

/** Every way of reading the simulator's store, each call counted. */
const READS = ['segment', 'message', 'segmentsOf', 'listMessages', 'partialSegments', 'unpushed', 'pendingReceipts', 'queuedMobileOriginated', 'unfinishedSegments'] as const;

interface ReadCounter {
  /** The calls counted since the last take. */
  take(): Record<string, number>;
  /** Runs `read` without counting it (the test's own look at the store). */
  quietly<T>(read: () => T): T;
}

function countReads(store: MessageStore): ReadCounter {
  const counts: Record<string, number> = Object.fromEntries(READS.map((name) => [name, 0]));
  let counting = true;
  for (const name of READS) {
    const read = store[name].bind(store) as (...args: unknown[]) => unknown;
    vi.spyOn(store, name).mockImplementation(((...args: unknown[]) => {
      if (counting) counts[name]!++;
      return read(...args);
    }) as never);
  }
  return {
    take() {
      const taken = { ...counts };
      for (const name of READS) counts[name] = 0;
      return taken;
    },
    quietly(read) {
      counting = false;
      try {
        return read();
      } finally {
        counting = true;
      }
    },
  };
}

const TO = '+4915200000042';

/**
 * Six messages with receipts, one of them in two parts, to a number whose handset is connected; done when the
 * handset has them and every receipt was answered (none pending in the store).
 */
async function traffic(esme: TestEsme, handset: TestHandset, reads: ReadCounter, tag: string): Promise<void> {
  const received = handset.ofType('sms').length;
  const partIds: string[] = [];
  for (let i = 0; i < 5; i++) {
    const answer = await esme.submit({ destination_addr: TO.slice(1), short_message: `${tag} code ${i}`, registered_delivery: 1 });
    partIds.push(answer['message_id'] as string);
  }
  for (const seq of [1, 2]) {
    const answer = await esme.submit({
      destination_addr: TO.slice(1),
      short_message: `${tag} part ${seq} `,
      registered_delivery: 1,
      sar_msg_ref_num: tag.charCodeAt(0),
      sar_total_segments: 2,
      sar_segment_seqnum: seq,
    });
    partIds.push(answer['message_id'] as string);
  }
  await esme.waitForDeliveries(partIds.length, (pdu) => partIds.includes(pdu['receipted_message_id'] as string));
  await handset.waitForFrames('sms', received + 6);
  await waitFor('every receipt answered', () => reads.quietly(() => running.sim.store.pendingReceipts('verigate').length === 0));
}

/** The latest state each message reached on the stream. */
function latest(stream: TestEventStream): Map<string, SimulatorEvent['data']> {
  const messages = new Map<string, SimulatorEvent['data']>();
  for (const event of stream.events) if (event.type.startsWith('message.')) messages.set(event.data['id'] as string, event.data);
  return messages;
}

const receiptsSent = (data: SimulatorEvent['data']) => (data['segments'] as { receipt: string }[]).every((s) => s.receipt === 'sent');

describe('what the event stream costs the simulator', () => {
  it('with nobody listening renders nothing, keeps nothing and reads the store exactly as often as with three consoles open', async () => {
    // Outcomes a second after submit: both parts of the two-part message are in before either finishes. (A part that
    // finishes before its message is whole is looked up in the store at the next flush: one read, for that case.)
    running = await startSimulator({ network: { receiptDelayMs: 1_000 } });
    const { hub, events } = running.sim.console;
    const esme = await TestEsme.connect(running.smppPort);
    closers.push(() => esme.close());
    await esme.bind('transceiver');
    const handset = await TestHandset.connect(running.wsUrl(TO), { authorization: authHeader });
    closers.push(() => handset.close());
    const reads = countReads(running.sim.store);

    // Nobody listens.
    await traffic(esme, handset, reads, 'a');
    const readsAlone = reads.take();
    expect(hub.rendered).toBe(0);
    expect(events.heldMessages).toBe(0);

    // Three consoles, one of them as the console page (batched).
    const url = `ws://127.0.0.1:${running.httpPort}/ws/events`;
    const streams = await Promise.all(['', '', '?batch=1'].map((query) => TestEventStream.connect(url + query, { authorization: authHeader })));
    for (const stream of streams) closers.push(() => stream.close());
    await traffic(esme, handset, reads, 'b');
    for (const stream of streams) {
      await waitFor('every message in its final state', () => {
        const messages = latest(stream);
        return messages.size === 6 && [...messages.values()].every(receiptsSent);
      });
    }
    // Rendered from what the message center handed over: not one more read of the store.
    expect(reads.take()).toEqual(readsAlone);
    // Each event rendered once, and every console got each of them.
    for (const stream of streams) await waitFor('every rendered event', () => stream.events.length === hub.rendered);
    expect(streams[0]!.events).toEqual(streams[2]!.events);
    // Nothing is due for those messages any more: the console's copy of them is gone.
    await waitFor('the console to let the finished messages go', () => events.heldMessages === 0);
  });

  it('renders a message it did not see created from the store, and drops its copy when the last subscriber leaves', async () => {
    running = await startSimulator();
    const { hub, events } = running.sim.console;
    const url = `ws://127.0.0.1:${running.httpPort}/ws/events`;
    const sender = await TestEsme.connect(running.smppPort);
    closers.push(() => sender.close());
    await sender.bind('transmitter');
    const first = await TestEventStream.connect(url, { authorization: authHeader });
    // With no receiver bound, the receipt waits: the message stays at work, and the console keeps its copy.
    const one = (await sender.submit({ destination_addr: '4915200000043', short_message: 'one', registered_delivery: 1 }))['message_id'] as string;
    const created = await first.waitFor('message.created');
    expect(events.heldMessages).toBe(1);
    first.close();
    await waitFor('the subscriber to go', () => hub.subscribers === 0);
    // Changes while nobody listens: the copy would miss them, so it goes.
    const two = (await sender.submit({ destination_addr: '4915200000043', short_message: 'two', registered_delivery: 1 }))['message_id'] as string;
    expect(events.heldMessages).toBe(0);

    const second = await TestEventStream.connect(url, { authorization: authHeader });
    closers.push(() => second.close());
    const receiver = await TestEsme.connect(running.smppPort);
    closers.push(() => receiver.close());
    await receiver.bind('receiver');
    await receiver.waitForDeliveries(2, (pdu) => [one, two].includes(pdu['receipted_message_id'] as string));
    const updates = await waitFor('both messages with their receipts sent', () => {
      const found = second.of('message.updated', receiptsSent);
      return found.length === 2 ? found : undefined;
    });
    expect(updates.map((u) => u.data['text']).sort()).toEqual(['one', 'two']);
    expect(updates.find((u) => u.data['text'] === 'one')!.data['id']).toBe(created.data['id']);
    for (const update of updates) expect((await running.api(`/api/messages/${String(update.data['id'])}`)).body).toEqual(update.data);
  });
});
