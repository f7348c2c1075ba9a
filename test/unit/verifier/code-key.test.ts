import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { codeKeyFile, CodeKeyError, LEGACY_KEY_NAME, loadCodeKey, parseCodeKey } from '../../../verifier/code-key';
import { openStorage } from '../../../verifier/store/open-storage';
import type { VerifierStorage } from '../../../verifier/store/storage';

const dir = mkdtempSync(join(tmpdir(), 'verigate-code-key-'));
const open: VerifierStorage[] = [];
let n = 0;

afterEach(async () => {
  for (const storage of open.splice(0)) await storage.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function database(file = join(dir, `db-${++n}`, 'verigate.db')): Promise<{ file: string; secrets: VerifierStorage['secrets'] }> {
  const storage = await openStorage({ dataFile: file });
  open.push(storage);
  return { file, secrets: storage.secrets };
}

function warnings(): { logger: { warn(object: object, message: string): void }; messages: string[] } {
  const messages: string[] = [];
  return { logger: { warn: (_object, message) => messages.push(message) }, messages };
}

describe('the code key', () => {
  it('is created beside the database with mode 0600 on first start, and read back on the next', async () => {
    const { file, secrets } = await database();
    const key = await loadCodeKey({ dataFile: file, secrets });
    expect(key.length).toBe(32);
    const keyFile = codeKeyFile(file)!;
    expect(keyFile).toBe(`${file}.key`);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(parseCodeKey(readFileSync(keyFile, 'utf8'))).toEqual(key);
    expect(await loadCodeKey({ dataFile: file, secrets })).toEqual(key);
    // No temporary file is left behind, and nothing went into the database.
    expect(readdirSync(join(file, '..')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(await secrets.get(LEGACY_KEY_NAME)).toBeUndefined();
  });

  it('is refused, with a line naming the file and the fix, when others may read the file', async () => {
    const { file, secrets } = await database();
    await loadCodeKey({ dataFile: file, secrets });
    chmodSync(`${file}.key`, 0o640);
    await expect(loadCodeKey({ dataFile: file, secrets })).rejects.toThrow(new CodeKeyError(`code key file ${file}.key has mode 0640: it must be readable by its owner only (chmod 600 ${file}.key)`));
  });

  it('is refused when the file is malformed or too short', async () => {
    for (const content of ['', 'not base64 at all!', randomBytes(16).toString('base64'), `${randomBytes(32).toString('base64')}\n${randomBytes(32).toString('base64')}`]) {
      const { file, secrets } = await database();
      writeFileSync(`${file}.key`, content, { mode: 0o600 });
      await expect(loadCodeKey({ dataFile: file, secrets }), JSON.stringify(content)).rejects.toThrow(/is malformed: it must hold one line of base64 of at least 32 bytes/);
    }
  });

  it('lives in memory for an in-memory database', async () => {
    const { secrets } = await database(':memory:');
    const before = readdirSync(process.cwd());
    const key = await loadCodeKey({ dataFile: ':memory:', secrets });
    expect(key.length).toBe(32);
    expect(codeKeyFile(':memory:')).toBeUndefined();
    expect(readdirSync(process.cwd())).toEqual(before);
  });

  it('takes VERIGATE_CODE_KEY over any file, and writes no file then', async () => {
    const { file, secrets } = await database();
    const given = randomBytes(48);
    expect(await loadCodeKey({ given, dataFile: file, secrets })).toEqual(given);
    expect(existsSync(`${file}.key`)).toBe(false);
  });

  it('moves the key an older version kept in the database to the key file and erases it there', async () => {
    const { file, secrets } = await database();
    const legacy = randomBytes(32);
    await secrets.getOrCreate(LEGACY_KEY_NAME, () => legacy.toString('base64'), Date.now());
    const { logger, messages } = warnings();
    expect(await loadCodeKey({ dataFile: file, secrets, logger })).toEqual(legacy);
    expect(parseCodeKey(readFileSync(`${file}.key`, 'utf8'))).toEqual(legacy);
    expect(await secrets.get(LEGACY_KEY_NAME)).toBeUndefined();
    expect(messages).toEqual([]);
  });

  it('erases a database key that differs from the key in use, and says that its pending codes are lost', async () => {
    const { file, secrets } = await database();
    await secrets.getOrCreate(LEGACY_KEY_NAME, () => randomBytes(32).toString('base64'), Date.now());
    const { logger, messages } = warnings();
    const given = randomBytes(32);
    expect(await loadCodeKey({ given, dataFile: file, secrets, logger })).toEqual(given);
    expect(await secrets.get(LEGACY_KEY_NAME)).toBeUndefined();
    expect(messages).toEqual([expect.stringContaining('codes pending under it can no longer be checked')]);
  });

  it('accepts base64 in either alphabet, with or without padding, and nothing shorter than 32 bytes', async () => {
    const key = randomBytes(33);
    for (const text of [key.toString('base64'), key.toString('base64url'), ` ${key.toString('base64')}\n`]) expect(parseCodeKey(text)).toEqual(key);
    expect(parseCodeKey(randomBytes(31).toString('base64'))).toBeUndefined();
    expect(parseCodeKey('short')).toBeUndefined();
  });
});
