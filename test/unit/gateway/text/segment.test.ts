import { describe, it, expect } from 'vitest';
import { concatInfo, countParts, decodeText, MessageTooLongError, segmentText, splitUdh } from '../../../../gateway/text';
import type { SegmentedText } from '../../../../gateway/text';

/** Decodes each part and joins them in sequence order, as a handset would. */
function reassemble(segmented: SegmentedText): string {
  return segmented.parts
    .map((part) => {
      if (!part.esmClassUdhi) return { seq: 1, text: decodeText(part.shortMessage, segmented.dataCoding) };
      const { elements, payload } = splitUdh(part.shortMessage);
      return { seq: concatInfo(elements)?.seq ?? 0, text: decodeText(payload, segmented.dataCoding) };
    })
    .sort((a, b) => a.seq - b.seq)
    .map((p) => p.text)
    .join('');
}

const payloadLengths = (segmented: SegmentedText): number[] =>
  segmented.parts.map((part) => (part.esmClassUdhi ? splitUdh(part.shortMessage).payload.length : part.shortMessage.length));

const digits = (length: number): string => Array.from({ length }, (_, i) => String(i % 10)).join('');

describe('segmentText over GSM 7-bit', () => {
  it('sends 160 characters as one part without a UDH', () => {
    const result = segmentText(digits(160), { method: 'udh', ref: 1 });
    expect(result.dataCoding).toBe(0);
    expect(result.parts).toHaveLength(1);
    expect(result.parts[0]?.esmClassUdhi).toBe(false);
    expect(result.parts[0]?.shortMessage).toHaveLength(160);
  });

  it('needs two parts for 161 characters', () => {
    const result = segmentText(digits(161), { method: 'udh', ref: 1 });
    expect(result.parts).toHaveLength(2);
    expect(payloadLengths(result)).toEqual([153, 8]);
    expect(countParts(digits(161))).toEqual({ encoding: 'gsm7', parts: 2, units: 161 });
  });

  it('splits 300 characters into 153 + 147 under one reference and reassembles them', () => {
    const text = digits(300);
    const result = segmentText(text, { method: 'udh', ref: 0x42 });
    expect(payloadLengths(result)).toEqual([153, 147]);
    expect(result.parts.every((p) => p.esmClassUdhi)).toBe(true);
    expect(result.parts.map((p) => p.shortMessage.subarray(0, 6).toString('hex'))).toEqual([
      '050003420201',
      '050003420202',
    ]);
    expect(reassemble(result)).toBe(text);
  });

  it('fits 152 septets per part behind a 16-bit reference', () => {
    const text = digits(300);
    const result = segmentText(text, { method: 'udh', ref: 0x1234, refBits: 16 });
    expect(payloadLengths(result)).toEqual([152, 148]);
    expect(concatInfo(splitUdh(result.parts[1]?.shortMessage ?? Buffer.alloc(0)).elements)).toEqual({
      ref: 0x1234, total: 2, seq: 2, refBits: 16,
    });
    expect(reassemble(result)).toBe(text);
  });

  it('counts an extension character as two septets against the 160 limit', () => {
    expect(countParts(`${digits(158)}€`)).toEqual({ encoding: 'gsm7', parts: 1, units: 160 });
    expect(countParts(`${digits(159)}€`)).toEqual({ encoding: 'gsm7', parts: 2, units: 161 });
  });

  it('never splits an escape pair at a part boundary', () => {
    // The euro sign's ESC would be septet 153 of part one; it must move whole to part two.
    const text = `${digits(152)}€${digits(20)}`;
    const result = segmentText(text, { method: 'udh', ref: 9 });
    const first = splitUdh(result.parts[0]?.shortMessage ?? Buffer.alloc(0)).payload;
    const second = splitUdh(result.parts[1]?.shortMessage ?? Buffer.alloc(0)).payload;
    expect(first).toHaveLength(152);
    expect(first.at(-1)).not.toBe(0x1b);
    expect(second.subarray(0, 2)).toEqual(Buffer.from([0x1b, 0x65]));
    expect(reassemble(result)).toBe(text);
  });

  it('sends empty text as one empty part', () => {
    const result = segmentText('', { method: 'udh', ref: 1 });
    expect(result.parts).toEqual([{ shortMessage: Buffer.alloc(0), esmClassUdhi: false }]);
  });
});

describe('segmentText over UCS-2', () => {
  it('encodes Cyrillic as UCS-2 with data_coding 8', () => {
    const result = segmentText('Ваш код: 654321', { method: 'udh', ref: 1 });
    expect(result.dataCoding).toBe(8);
    expect(result.parts).toHaveLength(1);
    expect(result.parts[0]?.shortMessage).toHaveLength(30);
    expect(reassemble(result)).toBe('Ваш код: 654321');
  });

  it('keeps 70 units in one part and splits 71 into 67-unit parts', () => {
    expect(countParts('Ж'.repeat(70))).toEqual({ encoding: 'ucs2', parts: 1, units: 70 });
    const result = segmentText('Ж'.repeat(71), { method: 'udh', ref: 3 });
    expect(payloadLengths(result)).toEqual([134, 8]);
  });

  it('fits 66 units per part behind a 16-bit reference', () => {
    const result = segmentText('Ж'.repeat(140), { method: 'udh', ref: 3, refBits: 16 });
    expect(payloadLengths(result)).toEqual([132, 132, 16]);
  });

  it('never splits an emoji surrogate pair across parts', () => {
    // 66 units then a two-unit emoji: the pair would straddle unit 67, so it moves to part two.
    const text = `${'Ж'.repeat(66)}😀${'Ж'.repeat(10)}`;
    const result = segmentText(text, { method: 'udh', ref: 5 });
    expect(payloadLengths(result)).toEqual([132, 24]);
    const second = splitUdh(result.parts[1]?.shortMessage ?? Buffer.alloc(0)).payload;
    expect(second.subarray(0, 4).toString('hex')).toBe('d83dde00');
    expect(reassemble(result)).toBe(text);
  });

  it('uses UCS-2 for GSM-safe text when forced', () => {
    const result = segmentText('Hi', { method: 'udh', ref: 1, forceUcs2: true });
    expect(result.dataCoding).toBe(8);
    expect(result.parts[0]?.shortMessage.toString('hex')).toBe('00480069');
    expect(countParts('Hi', { forceUcs2: true })).toEqual({ encoding: 'ucs2', parts: 1, units: 2 });
  });
});

describe('segmentText with message_payload', () => {
  it('puts the whole encoded text in messagePayload and leaves short_message empty', () => {
    const text = digits(300);
    const result = segmentText(text, { method: 'payload', ref: 1 });
    expect(result.dataCoding).toBe(0);
    expect(result.parts).toEqual([{ shortMessage: Buffer.alloc(0), esmClassUdhi: false }]);
    expect(result.messagePayload).toHaveLength(300);
    expect(decodeText(result.messagePayload ?? Buffer.alloc(0), 0)).toBe(text);
  });

  it('carries UCS-2 text the same way', () => {
    const result = segmentText('Код 😀', { method: 'payload', ref: 1 });
    expect(result.dataCoding).toBe(8);
    expect(decodeText(result.messagePayload ?? Buffer.alloc(0), 8)).toBe('Код 😀');
  });
});

describe('segmentText limits', () => {
  it('refuses text that would need more than 255 parts', () => {
    expect(() => segmentText(digits(153 * 255 + 1), { method: 'udh', ref: 1 })).toThrow(MessageTooLongError);
    expect(segmentText(digits(153 * 255), { method: 'udh', ref: 1 }).parts).toHaveLength(255);
  });
});
