import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { VerigateError } from '../gateway/errors/verigate-error';
import type { SecretRepository } from './store/secret-repository';

export class CodeKeyError extends VerigateError {
  override readonly name = 'CodeKeyError';
  readonly code = 'CODE_KEY_INVALID';
}

/** The name the code key had in the database's `secrets` table, before it moved out. */
export const LEGACY_KEY_NAME = 'code-key';


export interface CodeKeyOptions {
  /** From VERIGATE_CODE_KEY: wins over any key file. */
  given?: Buffer;
  /** The database file; its key file sits beside it. `:memory:` keeps the key in memory. */
  dataFile: string;
  /** Where an older version kept the key (it is moved out and erased). */
  secrets: Pick<SecretRepository, 'get' | 'erase'>;
  logger?: { warn(object: object, message: string): void };
}

/** The key file of a database file: `verigate.db` → `verigate.db.key`; none for `:memory:`. */
export function codeKeyFile(dataFile: string): string | undefined {
  return dataFile === ':memory:' ? undefined : `${dataFile}.key`;
}

/** Base64 (standard or URL alphabet, padding optional) of at least 32 bytes, or undefined. */
export function parseCodeKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return undefined;
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length >= 32 ? key : undefined;
}

/**
 * The server key that derives and seals codes, kept out of the database
 * (docs/security.md): a copy of the database alone must not let anyone check a code.
 * VERIGATE_CODE_KEY if given; else the key file beside the database, created
 * on first start (mode 0600, exclusively, so concurrent starts agree on one
 * key) and refused if others may read it or it is malformed; in memory for
 * `:memory:`. A key an older version kept in the database moves to the key
 * file, so its pending codes still check, and is erased from the database.
 */
export async function loadCodeKey(options: CodeKeyOptions): Promise<Buffer> {
  const legacyText = await options.secrets.get(LEGACY_KEY_NAME);
  const legacy = legacyText === undefined ? undefined : parseCodeKey(legacyText);
  const file = codeKeyFile(options.dataFile);
  let key: Buffer;
  if (options.given) key = options.given;
  else if (!file) key = legacy ?? randomBytes(32);
  else key = readKeyFile(file) ?? createKeyFile(file, legacy ?? randomBytes(32));
  if (legacyText !== undefined) {
    if (!legacy || !legacy.equals(key)) {
      options.logger?.warn({ keyFile: file }, 'the database held another code key than the one in use: erased; codes pending under it can no longer be checked');
    }
    await options.secrets.erase(LEGACY_KEY_NAME);
  }
  return key;
}

function readKeyFile(file: string): Buffer | undefined {
  let stats;
  try {
    stats = statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CodeKeyError(`code key file ${file}: ${(error as Error).message}`);
  }
  if (!stats.isFile()) throw new CodeKeyError(`code key file ${file} is not a regular file`);
  if ((stats.mode & 0o077) !== 0) {
    throw new CodeKeyError(`code key file ${file} has mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')}: it must be readable by its owner only (chmod 600 ${file})`);
  }
  const key = parseCodeKey(readFileSync(file, 'utf8'));
  if (!key) throw new CodeKeyError(`code key file ${file} is malformed: it must hold one line of base64 of at least 32 bytes`);
  return key;
}

/**
 * Writes `key` to a private temporary file, flushes it, then links it into
 * place: the link fails if the file exists, so the key file appears whole or
 * not at all, and of two processes starting at once both end up reading the
 * one that won. The directory is flushed too: a code issued under a key that
 * a crash then loses could never be checked.
 */
function createKeyFile(file: string, key: Buffer): Buffer {
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, `${key.toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new CodeKeyError(`cannot create code key file ${file}: ${(error as Error).message}`);
  } finally {
    unlinkSync(temporary);
  }
  const directory = openSync(dirname(file), 'r');
  try {
    fsyncSync(directory);
  } finally {
    closeSync(directory);
  }
  return readKeyFile(file)!;
}
