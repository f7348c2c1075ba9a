import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { twilioSignature, validTwilioSignature } from '../../../../gateway/webhooks/twilio-signature';

const token = '12345';
const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };

describe('X-Twilio-Signature', () => {
  it('matches what the official twilio package expects, for POST parameters and for a bare URL', () => {
    expect(twilioSignature(token, url, params)).toBe(twilio.getExpectedTwilioSignature(token, url, params));
    expect(twilioSignature(token, url)).toBe(twilio.getExpectedTwilioSignature(token, url, {}));
    expect(twilio.validateRequest(token, twilioSignature(token, url, params), url, params)).toBe(true);
  });

  it('signs the URL followed by the parameters sorted by name, each name then value, as base64 HMAC-SHA1', async () => {
    const { createHmac } = await import('node:crypto');
    const data = `${url}CallSidCA1234567890ABCDECaller+12349013030Digits1234From+12349013030To+18005551212`;
    expect(twilioSignature(token, url, { To: params.To, From: params.From, Digits: params.Digits, Caller: params.Caller, CallSid: params.CallSid }))
      .toBe(createHmac('sha1', token).update(data).digest('base64'));
  });

  it('signs each value of a repeated parameter in order and skips undefined ones', () => {
    expect(twilioSignature(token, url, { StatusCallbackEvent: ['initiated', 'completed'], Missing: undefined }))
      .toBe(twilioSignature(token, `${url}StatusCallbackEventinitiatedStatusCallbackEventcompleted`));
  });

  it('accepts only the right signature, URL, parameters and token', () => {
    const signature = twilioSignature(token, url, params);
    expect(validTwilioSignature(token, signature, url, params)).toBe(true);
    expect(validTwilioSignature(token, undefined, url, params)).toBe(false);
    expect(validTwilioSignature(token, '', url, params)).toBe(false);
    expect(validTwilioSignature('other', signature, url, params)).toBe(false);
    expect(validTwilioSignature(token, signature, `${url}&baz=3`, params)).toBe(false);
    expect(validTwilioSignature(token, signature, url, { ...params, Digits: '9999' })).toBe(false);
  });
});
