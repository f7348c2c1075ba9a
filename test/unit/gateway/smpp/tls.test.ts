import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CommandStatus, parseSmppUrl, SmppClient, SmppListener } from '../../../../gateway/smpp';

const dir = mkdtempSync(join(tmpdir(), 'verigate-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
}

describe('SMPP over TLS (ssmpp://)', () => {
  it('binds and submits through a TLS listener', async () => {
    const submits: string[] = [];
    const listener = new SmppListener({
      port: 0,
      tls: selfSignedCertificate(),
      onSession(session) {
        session.on('request', (pdu) => {
          if (pdu.command === 'submit_sm') submits.push(String(pdu['destination_addr']));
          session.respond(pdu, pdu.command === 'submit_sm' ? { message_id: 'tls-1' } : { system_id: 'tls-smsc' });
        });
      },
    });
    const port = await listener.listen();
    const client = new SmppClient({ endpoint: parseSmppUrl(`ssmpp://esme:pw@127.0.0.1:${port}`), onDeliver: () => 0, rejectUnauthorized: false });
    client.start();
    await client.waitUntilBound();
    const response = await client.submit({ destination_addr: '4915', short_message: Buffer.from('secret') });
    expect(response).toMatchObject({ command_status: CommandStatus.ESME_ROK, message_id: 'tls-1' });
    expect(submits).toEqual(['4915']);
    await client.stop();
    await listener.close();
  });
});
