import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { concatInfo, decodeText, splitUdh } from '../../../../gateway/text';
import { readSubmitSm } from './submit-sm-fields';

interface FixturePdu {
  kind: string;
  hex: string;
  text?: string;
  reassembled_text_with_next_part?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const fixturePath = resolve(here, '../../../fixtures/kannel-1.4.5-pdus.json');
const fixture = JSON.parse(readFileSync(fixturePath, 'utf8')) as { pdus: FixturePdu[] };

const SUBMIT_SM = 0x00000004;
const UDHI = 0x40;

const submits = fixture.pdus
  .filter((pdu) => pdu.kind.startsWith('submit_sm'))
  .map((pdu) => ({ pdu, fields: readSubmitSm(Buffer.from(pdu.hex, 'hex')) }));

describe('Kannel 1.4.5 captured submit_sm PDUs', () => {
  it('contains the expected submit_sm PDUs', () => {
    expect(submits).toHaveLength(5);
    for (const { fields } of submits) expect(fields.commandId).toBe(SUBMIT_SM);
  });

  const single = submits.filter(({ pdu }) => pdu.text !== undefined);

  it.each(single.map(({ pdu, fields }) => [pdu.kind, pdu.text ?? '', fields] as const))(
    'decodes %s to the captured text',
    (_kind, text, fields) => {
      expect(fields.esmClass & UDHI).toBe(0);
      expect(decodeText(fields.shortMessage, fields.dataCoding)).toBe(text);
    },
  );

  it('reassembles the two UDH parts into the captured long text', () => {
    const parts = submits.filter(({ fields }) => (fields.esmClass & UDHI) !== 0);
    expect(parts).toHaveLength(2);
    const expected = parts[0]?.pdu.reassembled_text_with_next_part;
    expect(expected).toHaveLength(200);

    const decoded = parts.map(({ fields }) => {
      const { elements, payload } = splitUdh(fields.shortMessage);
      const info = concatInfo(elements);
      return { info, text: decodeText(payload, fields.dataCoding) };
    });
    expect(decoded.map((d) => d.info)).toEqual([
      { ref: 2, total: 2, seq: 1, refBits: 8 },
      { ref: 2, total: 2, seq: 2, refBits: 8 },
    ]);
    expect(decoded.map((d) => d.text.length)).toEqual([153, 47]);
    const text = [...decoded].sort((a, b) => (a.info?.seq ?? 0) - (b.info?.seq ?? 0)).map((d) => d.text).join('');
    expect(text).toBe(expected);
  });
});
