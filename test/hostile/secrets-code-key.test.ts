// A copy of the verifier's database alone (a backup, a dump, a stolen file) must not let anyone check a
// code: the key that derives and hashes codes lives beside it (or in VERIGATE_CODE_KEY), never inside it.
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CodeBook } from '../../verifier/codes';
import { buildVerifier } from '../../verifier';
import { LEGACY_KEY_NAME, parseCodeKey } from '../../verifier/code-key';
import { openStorage } from '../../verifier/store/open-storage';
import { TestHandset } from '../support/handset';
import { runCli, startStackProcess, startVerifierProcess, type CliProcess } from '../support/cli-process';
import { startStack, credentials, authHeader } from '../support/stack-harness';
import { startSimulator } from '../support/simulator-harness';

const env = { VERIGATE_ACCOUNT_SID: credentials.accountSid, VERIGATE_AUTH_TOKEN: credentials.authToken };
const dir = mkdtempSync(join(tmpdir(), 'verigate-code-key-'));
const processes: CliProcess[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill('SIGKILL')));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function verify(base: string, path: string, form?: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${path}`, {
    method: form ? 'POST' : 'GET',
    headers: { authorization: authHeader, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  return (await response.json()) as Record<string, unknown>;
}

/** Every byte of the database's files (the main file and, if any, its WAL). */
function databaseBytes(file: string): Buffer {
  return Buffer.concat([file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
}

function expectNoKeyMaterial(file: string, key: Buffer): void {
  const bytes = databaseBytes(file);
  expect(bytes.length).toBeGreaterThan(0);
  for (const spelling of [key, Buffer.from(key.toString('base64')), Buffer.from(key.toString('base64url')), Buffer.from(key.toString('hex'))]) {
    expect(bytes.includes(spelling)).toBe(false);
  }
}

/** Starts an SMS verification (10-digit code) through the stack and reads the code off the handset. */
async function pendingSmsCode(verifyBase: string, simPort: number, to: string): Promise<{ service: string; verification: string; code: string }> {
  const service = String((await verify(verifyBase, '/v2/Services', { FriendlyName: 'Acme', CodeLength: '10' }))['sid']);
  const phone = await TestHandset.connect(`ws://127.0.0.1:${simPort}/ws/handsets/${encodeURIComponent(to)}`, { authorization: authHeader });
  const started = await verify(verifyBase, `/v2/Services/${service}/Verifications`, { To: to, Channel: 'sms' });
  const code = /(\d{10})$/.exec(String((await phone.waitForFrames('sms'))[0]!['text']))![1]!;
  phone.close();
  return { service, verification: String(started['sid']), code };
}

describe('the code key, kept out of the database', () => {
  it('leaves a copy of the database alone unable to check a code, and holding neither the key nor any code', { timeout: 40_000 }, async () => {
    const data = join(dir, 'copy', 'verigate.db');
    const stack = await startStackProcess(['--data', data], env);
    processes.push(stack);
    const { service, verification, code } = await pendingSmsCode(`http://127.0.0.1:${stack.verifyPort}`, stack.simPort, '+4915112390001');
    expect(stack.stdout()).toContain(`Code key          ${data}.key`);
    expect(await stack.kill('SIGTERM')).toBe(0);

    const keyFile = `${data}.key`;
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = parseCodeKey(readFileSync(keyFile, 'utf8'))!;
    expectNoKeyMaterial(data, key);
    // The verifier's database holds no code in clear either: the simulator's inbox is its own file.
    expect(databaseBytes(data).includes(Buffer.from(code))).toBe(false);

    // The stored hash is the real one: under the key it matches the code…
    const storage = await openStorage({ dataFile: data });
    const { codeHash } = (await storage.verifications.bySid(verification))!;
    await storage.close();
    expect(new CodeBook(key).matches(verification, code, codeHash)).toBe(true);
    // …but not under any other key, and a verifier on a copy of the file, without the key file, refuses it.
    expect(new CodeBook(randomBytes(32)).matches(verification, code, codeHash)).toBe(false);
    const thief = join(dir, 'thief');
    mkdirSync(thief);
    copyFileSync(data, join(thief, 'verigate.db'));
    const copy = await buildVerifier({ host: '127.0.0.1', port: 0, credentials, dataFile: join(thief, 'verigate.db') });
    const { port } = await copy.start();
    try {
      const check = await verify(`http://127.0.0.1:${port}`, `/v2/Services/${service}/VerificationCheck`, { VerificationSid: verification, Code: code });
      expect(check).toMatchObject({ status: 'pending', valid: false });
    } finally {
      await copy.stop();
    }
  });

  it('moves the key an older version kept in the database into the key file, so its pending codes still check', { timeout: 40_000 }, async () => {
    const data = join(dir, 'legacy', 'verigate.db');
    const legacyKey = randomBytes(32);
    // What the older version left: a pending verification, and its key in the secrets table.
    const old = await startStack({ dataFile: data, codeKey: legacyKey });
    const { service, code } = await pendingSmsCode(old.verifyUrl, old.sim.httpPort, '+4915112390002');
    await old.verifier.storage.secrets.getOrCreate(LEGACY_KEY_NAME, () => legacyKey.toString('base64'), Date.now());
    await old.stop();
    expect(databaseBytes(data).includes(Buffer.from(legacyKey.toString('base64')))).toBe(true);

    const verifier = await startVerifierProcess(['--data', data], env);
    processes.push(verifier);
    const check = await verify(`http://127.0.0.1:${verifier.verifyPort}`, `/v2/Services/${service}/VerificationCheck`, { To: '+4915112390002', Code: code });
    expect(check).toMatchObject({ status: 'approved', valid: true });
    expect(await verifier.kill('SIGTERM')).toBe(0);

    expect(parseCodeKey(readFileSync(`${data}.key`, 'utf8'))).toEqual(legacyKey);
    expect(statSync(`${data}.key`).mode & 0o777).toBe(0o600);
    expectNoKeyMaterial(data, legacyKey);
    const storage = await openStorage({ dataFile: data });
    expect(await storage.secrets.get(LEGACY_KEY_NAME)).toBeUndefined();
    await storage.close();
  });

  it('keeps the session tokens\' signing keys sealed and the page cookie key out of the database, sealing what an older version stored in clear', { timeout: 30_000 }, async () => {
    const data = join(dir, 'session', 'verigate.db');
    // What an older version left: a signing key in clear and the pages' cookie key, both in the database.
    const first = await buildVerifier({ host: '127.0.0.1', port: 0, credentials, dataFile: data });
    const legacyToken = await first.sessionTokens.issue('+4915112390003', 'sms');
    const codes = new CodeBook(parseCodeKey(readFileSync(`${data}.key`, 'utf8'))!);
    const [row] = await first.storage.sessionKeys.all();
    const privateJwk = codes.open(row!.privateJwk);
    const cookieKey = randomBytes(32).toString('base64');
    // Written as an older version wrote them: the private key in clear, the cookie key among the secrets.
    await first.storage.sessionKeys.replacePrivateKeys([{ kid: row!.kid, privateJwk }]);
    await first.storage.secrets.getOrCreate('page-session-key', () => cookieKey, Date.now());
    await first.stop();
    const d = (JSON.parse(privateJwk) as { d: string }).d;
    expect(databaseBytes(data).includes(Buffer.from(d))).toBe(true);

    const second = await buildVerifier({ host: '127.0.0.1', port: 0, credentials, dataFile: data });
    try {
      // The key still signs (same kid) and the older token still validates…
      expect((await second.sessionTokens.issue('+4915112390003', 'sms')).kid).toBe(row!.kid);
      expect(await second.sessionTokens.validate(legacyToken.token)).toMatchObject({ valid: true, kid: row!.kid });
      // …but its private part is sealed now, and the cookie key gone.
      const stored = (await second.storage.sessionKeys.all()).find((key) => key.kid === row!.kid)!;
      expect(stored.privateJwk.startsWith('{')).toBe(false);
      expect(codes.open(stored.privateJwk)).toBe(privateJwk);
    } finally {
      await second.stop();
    }
    for (const secret of [d, cookieKey]) expect(databaseBytes(data).includes(Buffer.from(secret)), secret).toBe(false);
  });

  it('recovers from a lost key file: a new key, a new signing key, and the session tokens signed before still validate', async () => {
    const data = join(dir, 'lost', 'verigate.db');
    const first = await buildVerifier({ host: '127.0.0.1', port: 0, credentials, dataFile: data });
    const before = await first.sessionTokens.issue('+4915112390005', 'sms');
    await first.stop();
    const lostKey = readFileSync(`${data}.key`, 'utf8');
    rmSync(`${data}.key`);
    const second = await buildVerifier({ host: '127.0.0.1', port: 0, credentials, dataFile: data });
    try {
      expect(readFileSync(`${data}.key`, 'utf8')).not.toBe(lostKey);
      const after = await second.sessionTokens.issue('+4915112390005', 'sms');
      expect(after.kid).not.toBe(before.kid);
      expect(await second.sessionTokens.validate(before.token)).toMatchObject({ valid: true, kid: before.kid });
      expect(await second.sessionTokens.validate(after.token)).toMatchObject({ valid: true, kid: after.kid });
    } finally {
      await second.stop();
    }
  });

  it('gives two verifiers started at once on one database the same key file, so a code sent by one checks on the other', { timeout: 40_000 }, async () => {
    const data = join(dir, 'twins', 'verigate.db');
    const sim = await startSimulator();
    try {
      const routes = ['--smpp', `smpp://verigate:verigate@127.0.0.1:${sim.smppPort}`, '--voice-api', `http://${credentials.accountSid}:${credentials.authToken}@127.0.0.1:${sim.httpPort}/restcomm/2012-04-24`];
      const [a, b] = await Promise.all([startVerifierProcess(['--data', data, ...routes], env), startVerifierProcess(['--data', data, ...routes], env)]);
      processes.push(a!, b!);
      expect(statSync(`${data}.key`).mode & 0o777).toBe(0o600);
      expect(readdirSync(join(dir, 'twins')).filter((name) => name.includes('.key'))).toEqual(['verigate.db.key']);
      const { service, verification, code } = await pendingSmsCode(`http://127.0.0.1:${a!.verifyPort}`, sim.httpPort, '+4915112390004');
      const check = await verify(`http://127.0.0.1:${b!.verifyPort}`, `/v2/Services/${service}/VerificationCheck`, { VerificationSid: verification, Code: code });
      expect(check).toMatchObject({ status: 'approved', valid: true });
    } finally {
      await Promise.all(processes.splice(0).map((p) => p.kill('SIGTERM')));
      await sim.stop();
    }
  });

  it('refuses to start, with one line and exit code 2, on a key file others may read, a malformed one, or a bad VERIGATE_CODE_KEY', { timeout: 30_000 }, async () => {
    const cases: [string, () => void, Record<string, string>, RegExp][] = [
      ['open', () => writeFileSync(join(dir, 'open.db.key'), `${randomBytes(32).toString('base64')}\n`, { mode: 0o644 }), {}, /code key file .*open\.db\.key has mode 0644: it must be readable by its owner only \(chmod 600 .*open\.db\.key\)/],
      ['short', () => writeFileSync(join(dir, 'short.db.key'), randomBytes(16).toString('base64'), { mode: 0o600 }), {}, /code key file .*short\.db\.key is malformed/],
      ['envkey', () => undefined, { VERIGATE_CODE_KEY: 'dG9vIHNob3J0' }, /VERIGATE_CODE_KEY: must be base64 of at least 32 bytes/],
    ];
    for (const [name, prepare, extraEnv, message] of cases) {
      prepare();
      if (name === 'open') chmodSync(join(dir, 'open.db.key'), 0o644);
      const cli = runCli(['verifier', '--verify-port', '0', '--data', join(dir, `${name}.db`)], { ...env, ...extraEnv });
      processes.push(cli);
      expect(await cli.exited, name).toBe(2);
      const lines = cli.stderr().trim().split('\n');
      expect(lines, name).toHaveLength(1);
      expect(lines[0], name).toMatch(message);
      expect(cli.stdout(), name).not.toContain('is running');
    }
  });
});
