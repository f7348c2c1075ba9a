import { describe, expect, it } from 'vitest';
import { MessageState } from '../../../../gateway/receipt';
import { messageDetailJson } from '../../../../simulator/http/control-routes';
import { messageDetailText, MessageViews } from '../../../../simulator/console/message-views';
import type { Segment, StoredMessage } from '../../../../simulator/store/message-store';

function message(fields: Partial<StoredMessage> = {}): StoredMessage {
  return {
    id: 'SM0123', direction: 'mt', source: 'Acme', destination: '+4915200000001', body: 'Your code is 123456',
    dataCoding: 0, parts: 1, systemId: 'verigate', status: 'delivered', createdAt: Date.UTC(2026, 10, 23, 12), pushedAt: null,
    replacedAt: null,
    ...fields,
  };
}

function part(fields: Partial<Segment> = {}): Segment {
  return {
    messageId: 'part-1', systemId: 'verigate', source: 'Acme', destination: '+4915200000001', body: 'Your code is 123456',
    dataCoding: 0, concatKey: null, concatTotal: null, concatSeq: null, registeredDelivery: 1, outcome: 'delivered',
    state: MessageState.ENROUTE, errorCode: 0, submittedAt: 0, dueAt: 0, doneAt: null, receipt: 'none', assembledInto: 'SM0123',
    payload: null, serviceType: '', scheduledAt: null, validUntil: null, multiId: null,
    ...fields,
  };
}

/** The JSON the inspection API's own function gives, byte for byte. */
const expected = (m: StoredMessage, parts: Segment[]) => JSON.stringify(messageDetailJson(m, parts));
/** The console's copy, rendered as the stream renders it. */
const rendered = (views: MessageViews, id: string) => {
  const view = views.get(id);
  return view && messageDetailText(view.message, view.parts);
};

describe("the console's copy of a message", () => {
  it('follows every change as the inspection API then reads the message, never changing the records it was handed', () => {
    const views = new MessageViews();
    const text = 'He said "status":"x", \\ then\n😀 ünïcödé \u0007';
    const m = message({ body: text, parts: 2, replacedAt: Date.UTC(2026, 10, 23, 12, 0, 2) });
    const parts = [
      part({ messageId: 'p1', body: text.slice(0, 10), concatKey: 'k', concatSeq: 1, concatTotal: 2, scheduledAt: Date.UTC(2026, 10, 24) }),
      part({ messageId: 'p2', body: text.slice(10), concatKey: 'k', concatSeq: 2, concatTotal: 2 }),
    ];
    const handed = structuredClone({ m, parts });
    views.add(m, parts);
    expect(rendered(views, m.id)).toBe(expected(m, parts));

    const finished = { ...parts[1]!, state: MessageState.DELIVERED, doneAt: 5, receipt: 'pending' as const };
    expect(views.finishPart(finished)).toBe(m.id);
    parts[1] = finished;
    expect(rendered(views, m.id)).toBe(expected(m, parts));

    expect(views.receipted('p2', 'sent')).toBe(m.id);
    parts[1] = { ...finished, receipt: 'sent' };
    expect(views.pushed(m.id, Date.UTC(2026, 10, 23, 12, 0, 1))).toBe(true);
    expect(rendered(views, m.id)).toBe(expected({ ...m, pushedAt: Date.UTC(2026, 10, 23, 12, 0, 1) }, parts));
    // What it was handed stays as it was: the message, the first part, the finished second part.
    expect({ m, first: parts[0], finished: finished.receipt }).toEqual({ m: handed.m, first: handed.parts[0], finished: 'pending' });
  });

  it('renders an MO (no parts, no ESME yet) and its status once an ESME took it', () => {
    const views = new MessageViews();
    const mo = message({ id: 'SM0456', direction: 'mo', systemId: null, status: 'queued' });
    views.add(mo, []);
    expect(rendered(views, mo.id)).toBe(expected(mo, []));
    expect(views.statusChanged(mo.id, 'sent', 'verigate')).toBe(true);
    expect(rendered(views, mo.id)).toBe(expected({ ...mo, status: 'sent', systemId: 'verigate' }, []));
  });

  it('lets a message go once nothing is due for it, and answers for no message it does not hold', () => {
    const views = new MessageViews();
    views.add(message(), [part()]);
    views.settle('SM0123');
    expect(views.size).toBe(1); // Its outcome is still due.
    views.finishPart(part({ state: MessageState.DELIVERED, doneAt: 5, receipt: 'pending' }));
    views.settle('SM0123');
    expect(views.size).toBe(1); // Its receipt is still due.
    views.receipted('part-1', 'sent');
    views.settle('SM0123');
    expect(views.size).toBe(0);
    expect(rendered(views, 'SM0123')).toBeUndefined();
    expect(views.receipted('part-1', 'sent')).toBeUndefined();
    expect(views.pushed('SM0123', 1)).toBe(false);
  });

  it('goes back within its bound when asked, the newest added going first, then the oldest', () => {
    const views = new MessageViews(2);
    for (const id of ['SM1', 'SM2', 'SM3', 'SM4']) views.add(message({ id }), [part({ messageId: `p-${id}`, assembledInto: id })]);
    views.bound(['SM3', 'SM4']);
    expect(views.size).toBe(2);
    expect(rendered(views, 'SM4')).toBeUndefined();
    expect(views.finishPart(part({ messageId: 'p-SM3' }))).toBeUndefined();
    expect(rendered(views, 'SM1')).toBeDefined();
    expect(views.finishPart(part({ messageId: 'p-SM2' }))).toBe('SM2');
    // Copies remade outside the new ones (rewrites of messages let go) are bounded too: the oldest go then.
    for (const id of ['SM5', 'SM6']) views.add(message({ id }), [part({ messageId: `p-${id}`, assembledInto: id })]);
    views.bound([]);
    expect(views.size).toBe(2);
    expect([views.get('SM1'), views.get('SM2')]).toEqual([undefined, undefined]);
    expect(views.get('SM6')).toBeDefined();
  });
});
