import { hash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** A new device or integration secret: 32 random bytes, base64url (43 characters). Shown once. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

const SHA256 = 'sha256$';
const SCRYPT = 'scrypt$';

/**
 * The stored form of a secret: `sha256$<digest, base64url>`. A slow hash protects secrets people
 * choose; these are 256 random bits, which no one can guess from a stolen database either, so a
 * fast digest is as safe here as it is for API keys. scrypt cost ~12 ms of CPU per login: after a
 * restart, a fleet of 150,000 devices waited for ~30 minutes of it before all could connect.
 */
export function hashSecret(secret: string | Buffer): string {
  return SHA256 + hash('sha256', secret, 'base64url');
}

/** A hash of the form credentials had before `sha256$`, which still verifies (slowly). */
export function isScryptHash(stored: string): boolean {
  return stored.startsWith(SCRYPT);
}

/**
 * True when `secret` matches a `sha256$` hash, compared in constant time. A malformed or scrypt
 * hash is a mismatch, never an exception.
 */
export function matchesSecret(secret: string | Buffer, stored: string): boolean {
  const expected = hashSecret(secret);
  return expected.length === stored.length && timingSafeEqual(Buffer.from(expected), Buffer.from(stored));
}

/**
 * True when `secret` matches a `scrypt$N$r$p$salt$key` hash (credentials issued before the
 * `sha256$` form; the store replaces them at their first verification). Runs one full scrypt with
 * the hash's own parameters; a malformed hash is a mismatch, never an exception.
 */
export async function matchesScryptSecret(secret: string | Buffer, stored: string): Promise<boolean> {
  const parsed = parseScryptHash(stored);
  if (parsed === undefined) return false;
  const key = await derive(secret, parsed.salt, parsed.params);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

const SCRYPT_KEY_BYTES = 32;

function parseScryptHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || `${parts[0]}$` !== SCRYPT) return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return undefined;
  const key = Buffer.from(parts[5], 'base64url');
  if (key.length !== SCRYPT_KEY_BYTES) return undefined;
  return { params: { N, r, p }, salt: Buffer.from(parts[4], 'base64url'), key };
}

function derive(secret: string | Buffer, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, SCRYPT_KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
