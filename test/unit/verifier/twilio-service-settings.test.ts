import { describe, expect, it } from 'vitest';
import { BUILTIN_TEMPLATES } from '../../../verifier/channels/builtin-templates';
import { authHeader } from '../../support/stack-harness';
import { twilioStack } from '../../support/twilio-stack';

const env = twilioStack();
const { verify, handset } = env;

const refused = (promise: Promise<unknown>) => promise.catch((e: unknown) => e);
const psd2Template = BUILTIN_TEMPLATES.find((t) => t.key === 'psd2')!.sid;

describe('service settings', () => {
  it('stores every Twilio setting and reads it back in Twilio\'s shape, through create, update, fetch and list', async () => {
    const created = await verify().services.create({
      friendlyName: 'Settings', lookupEnabled: true, skipSmsToLandlines: true, dtmfInputRequired: true, ttsName: 'Polly.Joanna',
      defaultTemplateSid: psd2Template, verifyEventSubscriptionEnabled: true, 'push.includeDate': true, 'push.apnCredentialSid': `CR${'a'.repeat(32)}`,
      'totp.issuer': 'Acme Bank', 'totp.timeStep': 60, 'totp.codeLength': 8, 'totp.skew': 2, 'whatsapp.msgServiceSid': `MG${'b'.repeat(32)}`, 'whatsapp.from': '+4915112383000',
      'passkeys.relyingParty.id': 'example.com', 'passkeys.relyingParty.name': 'Example', 'passkeys.relyingParty.origins': 'https://example.com,https://www.example.com',
      'passkeys.authenticatorAttachment': 'platform', 'passkeys.discoverableCredentials': 'preferred', 'passkeys.userVerification': 'required',
    });
    const expected = {
      lookupEnabled: true, skipSmsToLandlines: true, dtmfInputRequired: true, ttsName: 'Polly.Joanna', defaultTemplateSid: psd2Template, verifyEventSubscriptionEnabled: true,
      push: { include_date: true, apn_credential_sid: `CR${'a'.repeat(32)}`, fcm_credential_sid: null },
      totp: { issuer: 'Acme Bank', time_step: 60, code_length: 8, skew: 2 },
      whatsapp: { msg_service_sid: `MG${'b'.repeat(32)}`, from: '+4915112383000' },
      passkeys: { relying_party: { id: 'example.com', name: 'Example', origins: ['https://example.com', 'https://www.example.com'] }, authenticator_attachment: 'platform', discoverable_credentials: 'preferred', user_verification: 'required' },
    };
    expect(created).toMatchObject(expected);
    expect(await verify().services(created.sid).fetch()).toMatchObject(expected);
    const updated = await verify().services(created.sid).update({ lookupEnabled: false, ttsName: '', 'totp.skew': 0 });
    expect(updated).toMatchObject({ ...expected, lookupEnabled: false, ttsName: null, totp: { ...expected.totp, skew: 0 } });
    expect((await verify().services.list()).find((s) => s.sid === created.sid)).toMatchObject({ lookupEnabled: false, dtmfInputRequired: true, passkeys: expected.passkeys });

    const plain = await verify().services.create({ friendlyName: 'Defaults' });
    expect(plain).toMatchObject({ lookupEnabled: false, skipSmsToLandlines: false, ttsName: null, passkeys: null, totp: { issuer: null, time_step: 30, code_length: 6, skew: 1 } });
  });

  it('reads the settings from a raw form as Twilio does (True, no Content-Type) and refuses malformed ones with 60200', async () => {
    const response = await fetch(`${env.stack.verifyUrl}/v2/Services`, { method: 'POST', headers: { authorization: authHeader }, body: new TextEncoder().encode('FriendlyName=Raw&LookupEnabled=True&Push.IncludeDate=TRUE&Totp.CodeLength=7') });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ lookup_enabled: true, push: { include_date: true }, totp: { code_length: 7 } });
    const service = await verify().services.create({ friendlyName: 'Checked' });
    for (const [name, params] of [
      ['TtsName', { ttsName: 'Polly Joanna<' }],
      ['DefaultTemplateSid', { defaultTemplateSid: `HJ${'0'.repeat(32)}` }],
      ['Totp.TimeStep', { 'totp.timeStep': 90 }],
      ['Totp.CodeLength', { 'totp.codeLength': 9 }],
      ['Passkeys.AuthenticatorAttachment', { 'passkeys.authenticatorAttachment': 'usb' }],
      ['Whatsapp.From', { 'whatsapp.from': 'not a number' }],
      ['LookupEnabled', { lookupEnabled: 'maybe' as unknown as boolean }],
    ] as const) {
      const error = await refused(verify().services(service.sid).update(params));
      expect(error, name).toMatchObject({ status: 400, code: 60200 });
      expect(String((error as Error).message)).toContain(name);
    }
    expect(await verify().services(service.sid).fetch()).toMatchObject({ ttsName: null, defaultTemplateSid: null, totp: { time_step: 30 } });
  });
});

describe('LookupEnabled and SkipSmsToLandlines', () => {
  it('fills lookup.carrier from the number\'s type and refuses an SMS to a landline with 60205 when the service says so', async () => {
    const service = await verify().services.create({ friendlyName: 'Lookup', lookupEnabled: true, skipSmsToLandlines: true });
    const mobile = await verify().services(service.sid).verifications.create({ to: '+4915112383001', channel: 'sms' });
    expect(mobile.lookup).toEqual({ carrier: { error_code: null, name: null, mobile_country_code: null, mobile_network_code: null, type: 'mobile' } });
    expect((await verify().services(service.sid).verifications(mobile.sid).fetch()).lookup).toMatchObject({ carrier: { type: 'mobile' } });
    expect(await refused(verify().services(service.sid).verifications.create({ to: '+493012383002', channel: 'sms' }))).toMatchObject({ status: 400, code: 60205 });
    const call = await verify().services(service.sid).verifications.create({ to: '+493012383002', channel: 'call' });
    expect(call.lookup).toMatchObject({ carrier: { type: 'landline' } });

    const off = await verify().services.create({ friendlyName: 'No lookup', skipSmsToLandlines: true });
    const landline = await verify().services(off.sid).verifications.create({ to: '+493012383003', channel: 'sms' });
    expect(landline).toMatchObject({ status: 'pending', lookup: { carrier: null } });
  });
});

describe('voice settings', () => {
  it('asks for a key press before it reads the code (DtmfInputRequired), in the TtsName voice', async () => {
    const service = await verify().services.create({ friendlyName: 'Acme', dtmfInputRequired: true, ttsName: 'Polly.Joanna' });
    const phone = await handset('+12025550131');
    await verify().services(service.sid).verifications.create({ to: '+12025550131', channel: 'call' });
    const [incoming] = await phone.waitForFrames('call.incoming');
    const callSid = incoming!['callSid'];
    phone.send({ type: 'call.answer', callSid });
    const [prompt] = await phone.waitForFrames('call.say');
    expect(prompt).toMatchObject({ text: 'Press any key to hear your Acme verification code.', voice: 'Polly.Joanna', language: 'en-US' });
    await phone.waitForFrames('call.gather');
    expect(phone.ofType('call.say')).toHaveLength(1);
    phone.send({ type: 'call.dtmf', callSid, digits: '5' });
    const says = await phone.waitForFrames('call.say', 3);
    expect(says[1]).toMatchObject({ voice: 'Polly.Joanna', text: expect.stringMatching(/^Your Acme verification code is: (\d, ){5}\d\.$/) });
    const code = String(says[1]!['text']).replace(/\D/g, '');
    phone.send({ type: 'call.hangup', callSid });
    expect((await verify().services(service.sid).verificationChecks.create({ to: '+12025550131', code })).status).toBe('approved');
  });
});

describe('DefaultTemplateSid and Totp.*', () => {
  it('sends the service\'s default template when a start names none', async () => {
    const service = await verify().services.create({ friendlyName: 'Acme', defaultTemplateSid: psd2Template });
    const phone = await handset('+12025550132');
    await verify().services(service.sid).verifications.create({ to: '+12025550132', channel: 'sms', amount: '€5', payee: 'Shop' });
    expect(String((await phone.waitForFrames('sms'))[0]!['text'])).toMatch(/^Your Acme verification code is: \d{6}\. Use it to approve the payment of €5 to Shop\.$/);
    expect(await refused(verify().services(service.sid).verifications.create({ to: '+12025550133', channel: 'sms' }))).toMatchObject({ status: 400, code: 60200 });
  });

  it('makes new TOTP factors with the service\'s Totp settings and issuer', async () => {
    const service = await verify().services.create({ friendlyName: 'Acme', 'totp.issuer': 'Acme Bank', 'totp.timeStep': 60, 'totp.codeLength': 8, 'totp.skew': 0 });
    const factor = await verify().services(service.sid).entities('user-00000001').newFactors.create({ friendlyName: 'Phone', factorType: 'totp' });
    expect(factor.config).toMatchObject({ time_step: 60, code_length: 8, skew: 0 });
    const uri = new URL(String((factor.binding as { uri: string }).uri));
    expect(uri.searchParams.get('issuer')).toBe('Acme Bank');
    expect(uri.searchParams.get('period')).toBe('60');
    expect(uri.searchParams.get('digits')).toBe('8');
    const own = await verify().services(service.sid).entities('user-00000001').newFactors.create({ friendlyName: 'Other', factorType: 'totp', 'config.timeStep': 30 });
    expect(own.config).toMatchObject({ time_step: 30, code_length: 8 });
  });
});
