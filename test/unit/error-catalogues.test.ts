// Every error code a client can receive is in its component's catalogue, once, and documented with its meaning
// (fastify's model): the Verify API's and the voice network's Twilio numbers, the SMSC's command_status values.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CommandStatus } from '../../gateway/smpp';
import { SMSC_ERRORS } from '../../simulator/smsc/smsc-errors';
import { VOICE_ERRORS } from '../../simulator/voice/errors';
import { VERIFY_ERRORS } from '../../verifier/errors';

const root = new URL('../../', import.meta.url);
const hex = (status: number) => `0x${status.toString(16).padStart(8, '0')}`;

/** A catalogue entry as its documentation row must show it: the code, the HTTP status or SMPP name if any. */
interface Entry {
  code: string;
  alongside?: string;
}

const catalogues: { name: string; doc: string; entries: Entry[] }[] = [
  { name: 'Verify API', doc: 'docs/verify-api.md', entries: Object.values(VERIFY_ERRORS).map((e) => ({ code: String(e.code), alongside: String(e.status) })) },
  {
    name: 'voice network',
    doc: 'docs/voice-network.md',
    entries: Object.entries(VOICE_ERRORS).map(([code, e]) => ({ code, alongside: e.status ? String(e.status) : '—' })),
  },
  { name: 'SMSC', doc: 'docs/simulator.md', entries: Object.keys(SMSC_ERRORS).map((name) => ({ code: hex(CommandStatus[name as keyof typeof SMSC_ERRORS]), alongside: `\`${name}\`` })) },
];

/** The cells of every table row in a Markdown file. */
function tableRows(doc: string): string[][] {
  return readFileSync(new URL(doc, root), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[-| ]+\|$/.test(line))
    .map((line) => line.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim()));
}

describe.each(catalogues)('the $name error catalogue', ({ doc, entries }) => {
  it('gives each code once', () => {
    const codes = entries.map((e) => e.code);
    expect(codes.filter((code, i) => codes.indexOf(code) !== i)).toEqual([]);
  });

  it(`documents each code in ${doc}, with its status and its meaning`, () => {
    const rows = tableRows(doc);
    const undocumented = entries.filter(({ code, alongside }) => !rows.some((cells) =>
      cells.includes(code) &&
      (alongside === undefined || cells.includes(alongside)) &&
      cells.some((cell) => cell !== code && cell !== alongside && /[a-z]{2,}/i.test(cell))));
    expect(undocumented).toEqual([]);
  });
});

describe('the SMSC error catalogue', () => {
  it('holds the command_status values the SMSC answers with, and no other', () => {
    // The simulator, and the session and framing layers of gateway/smpp it answers through.
    const simulator = readdirSync(new URL('simulator', root), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts')).map((file) => `simulator/${file}`);
    const sources = [...simulator, 'gateway/smpp/session.ts', 'gateway/smpp/smpp-package.ts'];
    const answered = new Set(sources.flatMap((file) => [...readFileSync(new URL(file, root), 'utf8').matchAll(/\b(?:CommandStatus|STATUS)\.(ESME_R\w+)/g)].map((m) => m[1]!)));
    answered.delete('ESME_ROK');
    expect(Object.keys(SMSC_ERRORS).sort()).toEqual([...answered].sort());
  });
});
