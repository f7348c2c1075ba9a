import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../../gateway/logging/logger';
import { isSecretParameter, redactSecrets } from '../../../../gateway/logging/redact';

describe('redactSecrets', () => {
  it('redacts secret query parameters and keeps the rest of the URL', () => {
    expect(redactSecrets('/ws/handsets/+1555?access_token=s3cret&x=1')).toBe('/ws/handsets/+1555?access_token=[redacted]&x=1');
    expect(redactSecrets('/rcml?Token=abc#frag')).toBe('/rcml?Token=[redacted]#frag');
    expect(redactSecrets('/check?code=123456')).toBe('/check?code=[redacted]');
    expect(redactSecrets('/api/messages?to=%2B1&limit=5')).toBe('/api/messages?to=%2B1&limit=5');
  });

  it('compares names after percent-decoding, in any case, with or without separators', () => {
    for (const name of ['access%5Ftoken', 'ACCESS_TOKEN', 'Access-Token', 'access%255Ftoken', 'AuthToken', 'auth_token', 'Password', 'pass%77ord', 'CustomCode', 'Code', 'api.key', 'access+token']) {
      expect(isSecretParameter(name), name).toBe(true);
      expect(redactSecrets(`/x?a=1&${name}=SECRET-1&b=2`), name).toBe(`/x?a=1&${name}=[redacted]&b=2`);
    }
    for (const name of ['to', 'Channel', 'limit', 'status', 'codes_url']) expect(isSecretParameter(name), name).toBe(false);
  });

  it('redacts form-encoded bodies and parameters inside free text and JSON log lines', () => {
    expect(redactSecrets('To=%2B491&Code=424242')).toBe('To=%2B491&Code=[redacted]');
    expect(redactSecrets('{"msg":"POST /x?AuthToken=tok9 failed","url":"/y?password=pw9"}')).toBe('{"msg":"POST /x?AuthToken=[redacted] failed","url":"/y?password=[redacted]"}');
  });

  it('redacts the password of user:password@ in URLs of any scheme', () => {
    expect(redactSecrets('smpp://esme:pa%40ss@smsc.example:2775')).toBe('smpp://esme:[redacted]@smsc.example:2775');
    expect(redactSecrets('GET http://AC12:tok:en@host:8080/2010-04-01/Calls.json → 500')).toBe('GET http://AC12:[redacted]@host:8080/2010-04-01/Calls.json → 500');
    expect(redactSecrets('http://host/path?next=a@b')).toBe('http://host/path?next=a@b');
    expect(redactSecrets('"ftp://esme:pa#s?s@host" is not an http(s) URL')).toBe('"ftp://esme:[redacted]@host" is not an http(s) URL');
  });

  it('redacts the token of voice-call URLs, however the path is spelt', () => {
    expect(redactSecrets('POST https://verify.example/v2/voice/rcml/Ab-9_x/repeat')).toBe('POST https://verify.example/v2/voice/rcml/[redacted]/repeat');
    expect(redactSecrets('/v2/voice/flash/tok123')).toBe('/v2/voice/flash/[redacted]');
    expect(redactSecrets('/v2/Voice/%72cml/tok123?x=1')).toBe('/v2/Voice/%72cml/[redacted]?x=1');
    expect(redactSecrets('/v2/voice/status/AT0123')).toBe('/v2/voice/status/AT0123');
  });
});

describe('logger', () => {
  function capture(): { logger: ReturnType<typeof createLogger>; output: () => string } {
    let output = '';
    const destination = new Writable({ write(chunk, _encoding, done) { output += chunk.toString(); done(); } });
    return { logger: createLogger({ level: 'trace', component: 'test', destination }), output: () => output };
  }

  it('writes request lines with the redacted URL and no headers', () => {
    const { logger, output } = capture();
    logger.info({ req: { method: 'GET', url: '/x?access%5Ftoken=tok123', headers: { authorization: 'Basic abc' } } }, 'incoming request');
    logger.info({ bind: { systemId: 'esme', password: 'hunter2' } }, 'bound');
    expect(output()).toContain('"url":"/x?access%5Ftoken=[redacted]"');
    expect(output()).not.toContain('tok123');
    expect(output()).not.toContain('Basic abc');
    expect(output()).not.toContain('hunter2');
  });

  it('redacts URLs in messages and errors of child loggers too', () => {
    const { logger, output } = capture();
    const child = logger.child({ component: 'verifier' }).child({ reqId: 'r1' });
    child.error(new Error('POST http://AC1:tok456@voice.example/2010-04-01/Calls.json: ECONNREFUSED'));
    child.warn({ url: 'https://hooks.example/cb?Signature=sig789' }, 'callback failed for https://hooks.example/v2/voice/rcml/rcmltok');
    expect(output()).toContain('ECONNREFUSED');
    for (const secret of ['tok456', 'sig789', 'rcmltok']) expect(output()).not.toContain(secret);
  });
});
