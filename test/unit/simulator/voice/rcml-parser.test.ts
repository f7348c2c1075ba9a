import { describe, expect, it } from 'vitest';
import { RcmlError } from '../../../../simulator/voice/errors';
import { MAX_DOCUMENT_BYTES, parseRcml } from '../../../../simulator/voice/rcml-parser';

const base = 'http://app.test/voice/start?x=1';
const doc = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

function failure(text: string): RcmlError {
  try {
    parseRcml(text, base);
  } catch (error) {
    if (error instanceof RcmlError) return error;
    throw error;
  }
  throw new Error('parsed without error');
}

describe('parseRcml', () => {
  it('keeps verbs in document order, even when a verb repeats', () => {
    const verbs = parseRcml(doc('<Say>one</Say><Pause/><Say loop="2" voice="alice" language="fr-FR">two &amp; three</Say><Play>/a.wav</Play><Hangup/>'), base);
    expect(verbs).toEqual([
      { verb: 'Say', text: 'one', voice: 'man', language: 'en', loop: 1 },
      { verb: 'Pause', lengthSeconds: 1 },
      { verb: 'Say', text: 'two & three', voice: 'alice', language: 'fr-FR', loop: 2 },
      { verb: 'Play', url: 'http://app.test/a.wav', loop: 1 },
      { verb: 'Hangup' },
    ]);
  });

  it('reads Gather with its nested prompts and defaults, its action resolved against the document', () => {
    const [gather] = parseRcml(doc('<Gather numDigits="6" timeout="7" finishOnKey="" action="next" method="get"><Say>Enter</Say><Pause length="2"/><Play>http://cdn.test/b.mp3</Play></Gather>'), base);
    expect(gather).toEqual({
      verb: 'Gather', numDigits: 6, timeoutSeconds: 7, finishOnKey: '', action: 'http://app.test/voice/next', method: 'GET',
      prompts: [
        { verb: 'Say', text: 'Enter', voice: 'man', language: 'en', loop: 1 },
        { verb: 'Pause', lengthSeconds: 2 },
        { verb: 'Play', url: 'http://cdn.test/b.mp3', loop: 1 },
      ],
    });
    expect(parseRcml(doc('<Gather/>'), base)[0]).toMatchObject({ numDigits: undefined, timeoutSeconds: 5, finishOnKey: '#', action: base, method: 'POST' });
  });

  it('reads Redirect, Reject, Dial (text or Number children) and Sms', () => {
    expect(parseRcml(doc('<Redirect method="GET">/again</Redirect><Reject reason="busy"/><Reject/>'), base)).toEqual([
      { verb: 'Redirect', url: 'http://app.test/again', method: 'GET' },
      { verb: 'Reject', reason: 'busy' },
      { verb: 'Reject', reason: 'rejected' },
    ]);
    expect(parseRcml(doc('<Dial timeout="10" callerId="+15550001111" action="/d"><Number>+49 170 0000001</Number><Number>00491700000002</Number></Dial><Dial>491700000003</Dial>'), base)).toEqual([
      { verb: 'Dial', numbers: ['+491700000001', '+491700000002'], action: 'http://app.test/d', method: 'POST', timeoutSeconds: 10, callerId: '+15550001111' },
      { verb: 'Dial', numbers: ['+491700000003'], action: undefined, method: 'POST', timeoutSeconds: 30, callerId: undefined },
    ]);
    expect(parseRcml(doc('<Sms to="+491700000001" from="Verigate" action="/s">Your code</Sms>'), base)).toEqual([
      { verb: 'Sms', text: 'Your code', to: '+491700000001', from: 'Verigate', action: 'http://app.test/s', method: 'POST' },
    ]);
  });

  it('accepts an empty Response and ignores comments', () => {
    expect(parseRcml('<Response/>', base)).toEqual([]);
    expect(parseRcml('<!-- hi --><Response><!-- inner --><Hangup/></Response>', base)).toEqual([{ verb: 'Hangup' }]);
  });

  const failures: [string, string, number, RegExp][] = [
    ['text that is not XML', 'Hello there', 12100, /not well-formed XML|root element/],
    ['unclosed tags', '<Response><Say>hi</Response>', 12100, /not well-formed XML/],
    ['an empty document', '   ', 12100, /empty/],
    ['a document over 64 KiB', doc(`<Say>${'a'.repeat(MAX_DOCUMENT_BYTES)}</Say>`), 12100, /larger than/],
    ['another root', '<Document/>', 12102, /<Response>, got <Document>/],
    ['two roots', '<Response/><Response/>', 12102, /one root element <Response>, got 2/],
    ['an unknown verb', doc('<Record/>'), 12101, /unknown verb <Record>/],
    ['a verb nested in Say', doc('<Say><Play>x</Play></Say>'), 12101, /<Play> is not allowed inside <Say>/],
    ['Gather inside Gather', doc('<Gather><Gather/></Gather>'), 12101, /<Gather> is not allowed inside <Gather>/],
    ['text directly in Response', doc('loose text<Hangup/>'), 12101, /may not hold text/],
    ['Say without text', doc('<Say/>'), 12200, /<Say> text is missing/],
    ['a bad loop', doc('<Say loop="-1">x</Say>'), 12200, /<Say> loop must be an integer/],
    ['a bad Pause length', doc('<Pause length="1.5"/>'), 12200, /<Pause> length/],
    ['a bad finishOnKey', doc('<Gather finishOnKey="ab"/>'), 12200, /finishOnKey/],
    ['a bad method', doc('<Redirect method="PUT">/x</Redirect>'), 12200, /method must be GET or POST/],
    ['a Redirect without URL', doc('<Redirect/>'), 12200, /URL is missing/],
    ['a Play URL that is not http', doc('<Play>ftp://x/y.wav</Play>'), 12200, /must be an http\(s\) URL/],
    ['a Dial number that is not one', doc('<Dial><Number>bob</Number></Dial>'), 12200, /must be a phone number/],
    ['a Dial without number', doc('<Dial/>'), 12200, /number is missing/],
    ['a bad Reject reason', doc('<Reject reason="bored"/>'), 12200, /reason/],
  ];
  for (const [what, text, code, message] of failures) {
    it(`refuses ${what} with ${code}`, () => {
      const error = failure(text);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    });
  }
});
