import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { RcmlError } from '../../../../simulator/voice/errors';
import { MAX_DOCUMENT_BYTES, parseRcml } from '../../../../simulator/voice/rcml-parser';

const { VoiceResponse } = twilio.twiml;
const base = 'http://app.test/voice/start?x=1';
const doc = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
const verbs = (text: string) => parseRcml(text, base).verbs;
const warnings = (text: string) => parseRcml(text, base).warnings.map((w) => w.message);

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
    expect(verbs(doc('<Say>one</Say><Pause/><Say loop="2" voice="alice" language="fr-FR">two &amp; three</Say><Play>/a.wav</Play><Hangup/>'))).toEqual([
      { verb: 'Say', text: 'one', voice: 'man', language: 'en', loop: 1, breakMs: 0 },
      { verb: 'Pause', lengthSeconds: 1 },
      { verb: 'Say', text: 'two & three', voice: 'alice', language: 'fr-FR', loop: 2, breakMs: 0 },
      { verb: 'Play', url: 'http://app.test/a.wav', digits: undefined, loop: 1 },
      { verb: 'Hangup' },
    ]);
  });

  it('reads Gather with its nested prompts and defaults, its action resolved against the document', () => {
    const [gather] = verbs(doc('<Gather numDigits="6" timeout="7" finishOnKey="" action="next" method="get"><Say>Enter</Say><Pause length="2"/><Play>http://cdn.test/b.mp3</Play></Gather>'));
    expect(gather).toEqual({
      verb: 'Gather', input: ['dtmf'], numDigits: 6, timeoutSeconds: 7, finishOnKey: '', action: 'http://app.test/voice/next', method: 'GET', actionOnEmptyResult: false,
      prompts: [
        { verb: 'Say', text: 'Enter', voice: 'man', language: 'en', loop: 1, breakMs: 0 },
        { verb: 'Pause', lengthSeconds: 2 },
        { verb: 'Play', url: 'http://cdn.test/b.mp3', digits: undefined, loop: 1 },
      ],
    });
    expect(verbs(doc('<Gather/>'))[0]).toMatchObject({ numDigits: undefined, timeoutSeconds: 5, finishOnKey: '#', action: base, method: 'POST' });
    expect(verbs(doc('<Gather input="dtmf speech" actionOnEmptyResult="true"/>'))[0]).toMatchObject({ input: ['dtmf', 'speech'], actionOnEmptyResult: true });
  });

  it('reads Redirect, Reject, Dial (text, Number or Conference children), Sms and Message', () => {
    expect(verbs(doc('<Redirect method="GET">/again</Redirect><Reject reason="busy"/><Reject/>'))).toEqual([
      { verb: 'Redirect', url: 'http://app.test/again', method: 'GET' },
      { verb: 'Reject', reason: 'busy' },
      { verb: 'Reject', reason: 'rejected' },
    ]);
    expect(verbs(doc('<Dial timeout="10" callerId="+15550001111" action="/d"><Number sendDigits="ww12">+49 170 0000001</Number><Number>00491700000002</Number></Dial><Dial>491700000003</Dial>'))).toEqual([
      {
        verb: 'Dial', action: 'http://app.test/d', method: 'POST', timeoutSeconds: 10, callerId: '+15550001111', timeLimitSeconds: 14_400,
        targets: [{ kind: 'number', number: '+491700000001', sendDigits: 'ww12' }, { kind: 'number', number: '+491700000002', sendDigits: undefined }],
      },
      { verb: 'Dial', targets: [{ kind: 'number', number: '+491700000003', sendDigits: undefined }], action: undefined, method: 'POST', timeoutSeconds: 30, callerId: undefined, timeLimitSeconds: 14_400 },
    ]);
    expect(verbs(doc('<Dial><Conference endConferenceOnExit="true">room 1</Conference></Dial>'))[0]).toMatchObject({
      targets: [{ kind: 'conference', name: 'room 1', startConferenceOnEnter: true, endConferenceOnExit: true }],
    });
    expect(verbs(doc('<Sms to="+491700000001" from="Verigate" action="/s">Your code</Sms><Message><Body>Hi there</Body></Message>'))).toEqual([
      { verb: 'Sms', text: 'Your code', to: '+491700000001', from: 'Verigate', action: 'http://app.test/s', method: 'POST' },
      { verb: 'Sms', text: 'Hi there', to: undefined, from: undefined, action: undefined, method: 'POST' },
    ]);
  });

  it('speaks the text of SSML children as the twilio builder writes them, and counts breaks as silence', () => {
    const response = new VoiceResponse();
    const say = response.say({ voice: 'Polly.Joanna' }, 'Your code is');
    say.sayAs({ 'interpret-as': 'digits' }, '1234');
    say.break({ time: '2s' });
    say.emphasis({ level: 'strong' }, 'again');
    say.prosody({ rate: 'slow' }, '1 2 3 4');
    say.sub({ alias: 'World Wide Web' }, 'WWW');
    expect(parseRcml(response.toString(), base)).toEqual({
      verbs: [{ verb: 'Say', text: 'Your code is 1234 again 1 2 3 4 World Wide Web', voice: 'Polly.Joanna', language: 'en', loop: 1, breakMs: 2000 }],
      warnings: [],
    });
  });

  it('reads Play digits, loop="0", Record with its defaults', () => {
    const response = new VoiceResponse();
    response.play({ digits: 'ww1234#' });
    response.say({ loop: 0 }, 'forever');
    response.record({ action: '/recorded', maxLength: 30, finishOnKey: '#' });
    expect(verbs(response.toString())).toEqual([
      { verb: 'Play', url: undefined, digits: 'ww1234#', loop: 1 },
      { verb: 'Say', text: 'forever', voice: 'man', language: 'en', loop: 0, breakMs: 0 },
      { verb: 'Record', action: 'http://app.test/recorded', method: 'POST', timeoutSeconds: 5, maxLengthSeconds: 30, finishOnKey: '#', playBeep: true, recordingStatusCallback: undefined },
    ]);
  });

  it('accepts an empty Response and ignores comments', () => {
    expect(verbs('<Response/>')).toEqual([]);
    expect(verbs('<!-- hi --><Response><!-- inner --><Hangup/></Response>')).toEqual([{ verb: 'Hangup' }]);
  });

  const failures: [string, string, number, RegExp][] = [
    ['text that is not XML', 'Hello there', 12100, /not well-formed XML|root element/],
    ['unclosed tags', '<Response><Say>hi</Response>', 12100, /not well-formed XML/],
    ['an empty document', '   ', 12100, /empty/],
    ['a document over 64 KiB', doc(`<Say>${'a'.repeat(MAX_DOCUMENT_BYTES)}</Say>`), 11750, /larger than/],
    ['another root', '<Document/>', 12100, /<Response>, got <Document>/],
    ['two roots', '<Response/><Response/>', 12100, /one root element <Response>, got 2/],
  ];
  for (const [what, text, code, message] of failures) {
    it(`refuses ${what} with ${code}`, () => {
      const error = failure(text);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    });
  }

  const warned: [string, string, unknown[], RegExp][] = [
    ['an unknown verb', doc('<Teleport/><Hangup/>'), [{ verb: 'Hangup' }], /unknown verb <Teleport>/],
    ['a wrong-case verb', doc('<say>hi</say><Hangup/>'), [{ verb: 'Hangup' }], /unknown verb <say> \(verbs are case-sensitive\)/],
    ['a verb Twilio has and the simulator skips', doc('<Connect><Stream url="wss://x.test"/></Connect>'), [], /<Connect> is not simulated/],
    ['a verb nested in Say', doc('<Say>hi<Play>x</Play></Say>'), [expect.objectContaining({ verb: 'Say', text: 'hi x' })], /<Play> is not allowed inside <Say>/],
    ['Dial inside Gather', doc('<Gather><Dial>+491700000099</Dial></Gather>'), [expect.objectContaining({ verb: 'Gather', prompts: [] })], /<Dial> is not allowed inside <Gather>/],
    ['text directly in Response', doc('loose text<Hangup/>'), [{ verb: 'Hangup' }], /may not hold text/],
    ['an empty Say', doc('<Say/><Hangup/>'), [{ verb: 'Hangup' }], /<Say> has no text/],
    ['a bad loop', doc('<Say loop="-1">x</Say>'), [expect.objectContaining({ loop: 1 })], /<Say> loop must be an integer/],
    ['a bad Pause length', doc('<Pause length="1.5"/>'), [{ verb: 'Pause', lengthSeconds: 1 }], /<Pause> length/],
    ['a bad finishOnKey', doc('<Gather finishOnKey="ab"/>'), [expect.objectContaining({ finishOnKey: '#' })], /finishOnKey/],
    ['a bad method', doc('<Redirect method="PUT">/x</Redirect>'), [{ verb: 'Redirect', url: 'http://app.test/x', method: 'POST' }], /method must be GET or POST/],
    ['a Redirect without URL', doc('<Redirect/>'), [], /no usable URL/],
    ['a Play URL that is not http', doc('<Play>ftp://x/y.wav</Play>'), [], /must be an http\(s\) URL/],
    ['a Dial number that is not one', doc('<Dial><Number>bob</Number></Dial>'), [], /must hold a phone number/],
    ['a Dial to a Client', doc('<Dial><Client>alice</Client></Dial>'), [], /<Dial><Client> is not simulated/],
    ['a bad Reject reason', doc('<Reject reason="bored"/>'), [{ verb: 'Reject', reason: 'rejected' }], /reason must be one of rejected, busy/],
  ];
  for (const [what, text, expected, message] of warned) {
    it(`warns with 12200 and carries on at ${what}`, () => {
      const parsed = parseRcml(text, base);
      expect(parsed.verbs).toEqual(expected);
      expect(parsed.warnings[0]).toEqual({ code: 12200, message: expect.stringMatching(message) });
      expect(parsed.warnings.every((w) => w.code === 12200)).toBe(true);
    });
  }

  it('has no base for relative URLs in inline Twiml: a relative action is warned about', () => {
    expect(warnings(doc('<Gather/>'))).toEqual([]);
    const inline = parseRcml(doc('<Gather action="/next"/><Redirect>/again</Redirect>'), undefined);
    expect(inline.verbs).toEqual([expect.objectContaining({ verb: 'Gather', action: undefined })]);
    expect(inline.warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/inline Twiml has no base/),
      expect.stringMatching(/inline Twiml has no base/),
      '<Redirect> has no usable URL: skipped',
    ]);
  });
});
