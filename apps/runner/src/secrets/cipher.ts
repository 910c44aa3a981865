import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../server/config.js';
import type { SealedValue } from '../store/types.js';

/** The file a runner without TRELLIS_SECRET_KEY keeps its key in, inside its data folder. */
export const KEY_FILE = 'secret.key';

/** A key that cannot be had or used, with a sentence naming what to fix. */
export class SecretKeyError extends ConfigError {}

/**
 * Seals and opens credential values with AES-256-GCM: a random 12-byte IV per value, the
 * 16-byte tag kept beside it, and the credential's name as additional data (a value copied onto
 * another name does not open). A changed key or a tampered value fails to open, never silently.
 */
export class SecretCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new SecretKeyError(`the secret key must be 32 bytes, not ${key.length}`);
  }

  seal(name: string, value: string): SealedValue {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(name, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return { ciphertext: ciphertext.toString('base64'), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
  }

  /** The value, or undefined when it does not open (another key sealed it, or it was changed). */
  open(name: string, sealed: SealedValue): string | undefined {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(Buffer.from(name, 'utf8'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

/** TRELLIS_SECRET_KEY's value: 32 bytes as 64 hex digits or as base64. */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const key = Buffer.from(trimmed, 'base64');
    if (key.length === 32) return key;
  }
  throw new SecretKeyError('TRELLIS_SECRET_KEY must be 32 bytes written as 64 hex digits or as base64 (e.g. the output of `openssl rand -base64 32`)');
}

export type SecretKeySource =
  | { key: Buffer; from: 'env' | 'file'; file?: string }
  /** No key: credentials cannot be stored or read; the sentence says how to give one. */
  | { unavailable: string };

/**
 * Where the runner's secret key comes from: TRELLIS_SECRET_KEY; else, with a data folder (SQLite),
 * `<data>/secret.key`, created on first start readable by its owner only. A key file others may
 * read is refused (as ssh refuses such a private key): chmod 600 it. With PostgreSQL there is no
 * data folder to trust, so only TRELLIS_SECRET_KEY will do. Throws SecretKeyError for a key
 * that is malformed or unsafe; a missing one is `unavailable`.
 */
export function loadSecretKey(options: { secretKey?: string | undefined; dataDir?: string | undefined; databaseUrl?: string | undefined }): SecretKeySource {
  const fromEnv = options.secretKey;
  if (fromEnv) return { key: parseSecretKey(fromEnv), from: 'env' };
  if (options.databaseUrl || !options.dataDir) {
    return { unavailable: 'credentials need TRELLIS_SECRET_KEY on a runner with DATABASE_URL (every runner sharing the database needs the same key): set it to 32 random bytes, e.g. `openssl rand -base64 32`, and restart' };
  }
  const file = join(options.dataDir, KEY_FILE);
  let text: string;
  try {
    const mode = statSync(file).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new SecretKeyError(`${file} may be read by other users (mode ${mode.toString(8)}): run \`chmod 600 ${file}\` and start again`);
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(options.dataDir, { recursive: true });
    const key = randomBytes(32);
    // `wx`: two runners starting at once on one folder never overwrite each other's key.
    try {
      writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600); // the umask may have narrowed it; never widened
      return { key, from: 'file', file };
    } catch (raced) {
      if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') throw raced;
      text = readFileSync(file, 'utf8');
    }
  }
  try {
    return { key: parseSecretKey(text), from: 'file', file };
  } catch {
    throw new SecretKeyError(`${file} does not hold a secret key (32 bytes in base64 or hex); restore it, or set TRELLIS_SECRET_KEY`);
  }
}
