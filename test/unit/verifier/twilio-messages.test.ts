import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { BUILTIN_TEMPLATES } from '../../../verifier/channels/builtin-templates';
import { credentials, startStack } from '../../support/stack-harness';
import { twilioStack } from '../../support/twilio-stack';

const env = twilioStack();
const { verify, handset } = env;

async function smsTo(number: string): Promise<string> {
  const phone = await handset(number);
  return String((await phone.waitForFrames('sms'))[0]!['text']);
}

/** The message as the simulator's SMSC received it: its text and data_coding (0 GSM-7, 8 UCS-2). */
async function received(number: string): Promise<{ text: string; dataCoding: number }> {
  const { body } = await env.stack.sim.api(`/api/messages?to=${encodeURIComponent(number)}`);
  return (body as { messages: { text: string; dataCoding: number }[] }).messages[0]!;
}

const refused = (promise: Promise<unknown>) => promise.catch((e: unknown) => e);

describe('languages', () => {
  it('writes in the language of the number\'s country when Locale is absent, in the right script and data coding', async () => {
    const service = await verify().services.create({ friendlyName: 'Acme' });
    const cases = [
      { to: '+33612345001', text: /^Votre code de vérification Acme est : \d{6}$/, dataCoding: 0 },
      { to: '+819012345002', text: /^Acmeの認証コードは \d{6} です。$/, dataCoding: 8 },
      { to: '+380501234003', text: /^Ваш код підтвердження Acme: \d{6}$/, dataCoding: 8 },
      { to: '+85291234004', text: /^您的Acme驗證碼是：\d{6}$/, dataCoding: 8 },
      { to: '+12025550105', text: /^Your Acme verification code is: \d{6}$/, dataCoding: 0 },
    ];
    for (const c of cases) await verify().services(service.sid).verifications.create({ to: c.to, channel: 'sms' });
    for (const c of cases) {
      expect(await smsTo(c.to)).toMatch(c.text);
      expect(await received(c.to)).toMatchObject({ dataCoding: c.dataCoding });
    }
  });

  it('takes Locale as Twilio does (pt_BR, zh-CN, de-AT), and refuses one it has no templates for with 60200', async () => {
    const service = await verify().services.create({ friendlyName: 'Acme' });
    await verify().services(service.sid).verifications.create({ to: '+4915112381001', channel: 'sms', locale: 'pt_BR' });
    expect(await smsTo('+4915112381001')).toMatch(/^Seu código de verificação Acme é: \d{6}$/);
    await verify().services(service.sid).verifications.create({ to: '+4915112381002', channel: 'sms', locale: 'zh-CN' });
    expect(await smsTo('+4915112381002')).toMatch(/^您的Acme验证码是：\d{6}$/);
    expect(await refused(verify().services(service.sid).verifications.create({ to: '+4915112381003', channel: 'sms', locale: 'tlh' }))).toMatchObject({ status: 400, code: 60200 });
  });

  it('says a call in the locale\'s language with a valid <Say language>', async () => {
    const service = await verify().services.create({ friendlyName: 'Acme' });
    const phone = await handset('+390612345006');
    await verify().services(service.sid).verifications.create({ to: '+390612345006', channel: 'call' });
    const [incoming] = await phone.waitForFrames('call.incoming');
    phone.send({ type: 'call.answer', callSid: incoming!['callSid'] });
    const [said] = await phone.waitForFrames('call.say');
    expect(said).toMatchObject({ language: 'it-IT' });
    expect(String(said!['text'])).toMatch(/^Il tuo codice di verifica Acme è: (\d, ){5}\d\.$/);
    phone.send({ type: 'call.hangup', callSid: incoming!['callSid'] });
  });
});

describe('AppHash', () => {
  it('starts the SMS with <#> and ends it with the hash on its own line, and the code in it verifies', async () => {
    const service = await verify().services.create({ friendlyName: 'Acme' });
    await verify().services(service.sid).verifications.create({ to: '+12025550111', channel: 'sms', appHash: 'FA+9qCX9VSu' });
    const text = await smsTo('+12025550111');
    expect(text).toMatch(/^<#> Your Acme verification code is: \d{6}\nFA\+9qCX9VSu$/);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(140);
    const code = /: (\d{6})\n/.exec(text)![1]!;
    expect((await verify().services(service.sid).verificationChecks.create({ to: '+12025550111', code })).status).toBe('approved');
  });

  it('refuses a malformed hash, and a message the SMS Retriever could not read (over 140 bytes), with 60200', async () => {
    const service = await verify().services.create({ friendlyName: 'Acme', doNotShareWarningEnabled: true });
    expect(await refused(verify().services(service.sid).verifications.create({ to: '+12025550112', channel: 'sms', appHash: 'short' }))).toMatchObject({ status: 400, code: 60200 });
    const long = await refused(verify().services(service.sid).verifications.create({ to: '+79161234113', channel: 'sms', appHash: 'FA+9qCX9VSu', customFriendlyName: 'Интернет-магазин' }));
    expect(long).toMatchObject({ status: 400, code: 60200 });
    expect(String((long as Error).message)).toMatch(/140 bytes/);
  });
});

describe('CustomMessage, TemplateSid, Tags, RiskCheck, DeviceIp, SendDigits', () => {
  it('sends a CustomMessage with its {{code}}, friendly name and TemplateCustomSubstitutions', async () => {
    const service = await verify().services.create({ friendlyName: 'Acme' });
    await verify().services(service.sid).verifications.create({
      to: '+12025550121', channel: 'sms', customMessage: 'Hi {{user}}, your {{friendly_name}} login code is {{code}}', templateCustomSubstitutions: JSON.stringify({ user: 'Ann' }),
    });
    const text = await smsTo('+12025550121');
    expect(text).toMatch(/^Hi Ann, your Acme login code is \d{6}$/);
    const code = /(\d{6})$/.exec(text)![1]!;
    expect((await verify().services(service.sid).verificationChecks.create({ to: '+12025550121', code })).status).toBe('approved');
  });

  it('sends the template a TemplateSid names, and refuses an unknown one with 60200', async () => {
    const templates = await verify().templates.list();
    expect(templates.map((t) => t.friendlyName)).toEqual(BUILTIN_TEMPLATES.map((t) => t.name));
    const psd2 = templates.find((t) => t.friendlyName === 'Verigate PSD2')!;
    expect(psd2.translations).toMatchObject({ ja: { text: expect.stringContaining('{{code}}') }, 'zh-HK': { text: expect.stringContaining('{{friendly_name}}') } });
    const service = await verify().services.create({ friendlyName: 'Acme' });
    await verify().services(service.sid).verifications.create({ to: '+12025550122', channel: 'sms', templateSid: psd2.sid, amount: '€9.99', payee: 'Shop' });
    expect(await smsTo('+12025550122')).toMatch(/^Your Acme verification code is: \d{6}\. Use it to approve the payment of €9\.99 to Shop\.$/);
    const unknown = await refused(verify().services(service.sid).verifications.create({ to: '+12025550123', channel: 'sms', templateSid: `HJ${'0'.repeat(32)}` }));
    expect(unknown).toMatchObject({ status: 400, code: 60200 });
    expect(String((unknown as Error).message)).toMatch(/TemplateSid/);
    expect(await refused(verify().services(service.sid).verifications.create({ to: '+12025550123', channel: 'sms', templateSid: psd2.sid }))).toMatchObject({ status: 400, code: 60200 });
  });

  it('accepts Tags, RiskCheck and DeviceIp as Twilio does and refuses malformed ones with 60200', async () => {
    const service = await verify().services.create({ friendlyName: 'Acme' });
    const start = (extra: Record<string, unknown>) => verify().services(service.sid).verifications.create({ to: '+12025550124', channel: 'sms', ...extra });
    expect((await start({ tags: JSON.stringify({ campaign: 'signup', cohort: 7 }), deviceIp: '2001:db8::7', riskCheck: 'enable' })).status).toBe('pending');
    for (const [name, extra] of [
      ['Tags', { tags: '{not json' }],
      ['Tags', { tags: JSON.stringify(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']))) }],
      ['Tags', { tags: JSON.stringify({ k: 'v'.repeat(129) }) }],
      ['DeviceIp', { deviceIp: '300.1.1.1' }],
      ['RiskCheck', { riskCheck: 'maybe' }],
      ['SendDigits', { sendDigits: '12x' }],
      ['TemplateCustomSubstitutions', { templateCustomSubstitutions: '[1,2]' }],
    ] as const) {
      const error = await refused(start(extra));
      expect(error, name).toMatchObject({ status: 400, code: 60200 });
      expect(String((error as Error).message)).toContain(name);
    }
  });

  it('lifts the fraud guard for a start with RiskCheck=disable, as Twilio does', async () => {
    const guarded = await startStack({ abuse: { fraudGuard: { enabled: true, prefixDigits: 5, windowMs: 3_600_000, minStarts: 2, minApprovalRatio: 0.5, blockMs: 900_000 } } });
    try {
      const client = twilio(credentials.accountSid, credentials.authToken);
      client.verify.baseUrl = guarded.verifyUrl;
      const service = await client.verify.v2.services.create({ friendlyName: 'Guarded' });
      for (const n of ['+4915112382001', '+4915112382002']) await client.verify.v2.services(service.sid).verifications.create({ to: n, channel: 'sms' });
      expect(await refused(client.verify.v2.services(service.sid).verifications.create({ to: '+4915112382003', channel: 'sms' }))).toMatchObject({ status: 403, code: 60410 });
      expect((await client.verify.v2.services(service.sid).verifications.create({ to: '+4915112382003', channel: 'sms', riskCheck: 'disable' })).status).toBe('pending');
    } finally {
      await guarded.stop();
    }
  });

  it('plays SendDigits to the callee when the call is answered', async () => {
    const service = await verify().services.create({ friendlyName: 'Acme' });
    const phone = await handset('+12025550125');
    await verify().services(service.sid).verifications.create({ to: '+12025550125', channel: 'call', sendDigits: 'ww123#' });
    const [incoming] = await phone.waitForFrames('call.incoming');
    phone.send({ type: 'call.answer', callSid: incoming!['callSid'] });
    const [dtmf] = await phone.waitForFrames('call.dtmf');
    expect(dtmf).toMatchObject({ digits: 'ww123#' });
    await phone.waitForFrames('call.say');
    phone.send({ type: 'call.hangup', callSid: incoming!['callSid'] });
  });
});
