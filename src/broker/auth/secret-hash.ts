import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt cost of new hashes: ~10 ms here. The secrets are 256 random bits, so the cost guards a
 * stolen database, not guessing; a higher N made a cold reconnect storm after a restart take
 * minutes (100 parallel verifies took 6 s at N = 16384 on 2 cores). Stored hashes carry their
 * own parameters, so this can be raised without breaking them.
 */
export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = { N: 4096, r: 8, p: 1 };

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

const KEY_BYTES = 32;
const SALT_BYTES = 16;
const PREFIX = 'scrypt';

/** A new device or integration secret: 32 random bytes, base64url (43 characters). Shown once. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Hashes a secret for storage as `scrypt$N$r$p$salt$key` (base64url), so the parameters
 * travel with the hash and can be raised later without breaking stored ones.
 */
export async function hashSecret(
  secret: string | Buffer,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(secret, salt, params);
  return [PREFIX, params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/**
 * True when `secret` matches `stored`. Always runs one full scrypt and compares with
 * `timingSafeEqual`; a malformed stored hash is a mismatch, never an exception.
 */
export async function verifySecret(secret: string | Buffer, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (parsed === undefined) return false;
  const key = await derive(secret, parsed.salt, parsed.params);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

function parseHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== PREFIX) return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return undefined;
  const key = Buffer.from(parts[5], 'base64url');
  if (key.length !== KEY_BYTES) return undefined;
  return { params: { N, r, p }, salt: Buffer.from(parts[4], 'base64url'), key };
}

function derive(secret: string | Buffer, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
