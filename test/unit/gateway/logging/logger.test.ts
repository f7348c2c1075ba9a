import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from '../../../../gateway/logging/logger';

describe('logger', () => {
  it('redacts secret query parameters and keeps the rest of the URL', () => {
    expect(redactUrl('/ws/handsets/+1555?access_token=s3cret&x=1')).toBe('/ws/handsets/+1555?access_token=[redacted]&x=1');
    expect(redactUrl('/rcml?Token=abc#frag')).toBe('/rcml?Token=[redacted]#frag');
    expect(redactUrl('/check?code=123456')).toBe('/check?code=[redacted]');
    expect(redactUrl('/api/messages?to=%2B1')).toBe('/api/messages?to=%2B1');
  });

  it('writes request lines with the redacted URL and no headers', () => {
    let output = '';
    const destination = new Writable({ write(chunk, _encoding, done) { output += chunk.toString(); done(); } });
    const logger = createLogger({ level: 'info', component: 'test', destination });
    logger.info({ req: { method: 'GET', url: '/x?access_token=tok123', headers: { authorization: 'Basic abc' } } }, 'incoming request');
    logger.info({ bind: { systemId: 'esme', password: 'hunter2' } }, 'bound');
    expect(output).toContain('"url":"/x?access_token=[redacted]"');
    expect(output).not.toContain('tok123');
    expect(output).not.toContain('Basic abc');
    expect(output).not.toContain('hunter2');
  });
});
