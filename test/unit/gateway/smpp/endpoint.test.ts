import { describe, expect, it } from 'vitest';
import { describeEndpoint, parseSmppUrl, SmppEndpointError } from '../../../../gateway/smpp';

describe('SMPP endpoint URLs', () => {
  it('reads credentials, host, port and options, with defaults', () => {
    expect(parseSmppUrl('smpp://esme:p%40ss@smsc.example:2776')).toMatchObject({
      host: 'smsc.example', port: 2776, tls: false, systemId: 'esme', password: 'p@ss', mode: 'transceiver', windowSize: 10, maxPerSecond: 0, segmentation: 'udh', msgIdType: 'string',
    });
    expect(parseSmppUrl('ssmpp://esme:pw@smsc.example?mode=tx-rx&window=50&tps=100&system_type=VMA&source=Acme&segmentation=payload')).toMatchObject({
      port: 3550, tls: true, mode: 'transmitter-receiver', windowSize: 50, maxPerSecond: 100, systemType: 'VMA', sourceAddr: 'Acme', segmentation: 'payload',
    });
  });

  it.each([
    ['http://a:b@h:1', /scheme/],
    ['smpp://h:2775', /system_id/],
    ['smpp://a:b@h:1?window=0', /window/],
    ['smpp://a:b@h:1?colour=red', /unknown option "colour"/],
    ['smpp://a:toolongpassword@h:1', /password is longer than 8/],
    ['smpp://a:b@h:1?msg_id_type=hex', /msg_id_type must be "string" or 0..3/],
    ['not a url', /not a URL/],
  ])('refuses %s with a clear message', (url, message) => {
    expect(() => parseSmppUrl(url)).toThrow(SmppEndpointError);
    expect(() => parseSmppUrl(url)).toThrow(message);
  });

  it('hides the password when described', () => {
    expect(describeEndpoint(parseSmppUrl('smpp://esme:secret@h:1'))).toBe('smpp://esme:***@h:1');
  });
});
