import { hash, randomBytes } from 'node:crypto';

/** Recognisable prefix of convoi API keys (secret scanners and people can spot a leaked key). */
export const API_KEY_PREFIX = 'cv_';

/** A new API key: 32 random bytes, base64url, prefixed. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * SHA-256 of the key, hex. A slow password hash (scrypt, argon2) protects low-entropy secrets
 * against guessing; a 256-bit random key cannot be guessed, so a fast hash is as safe and lets
 * every request be authenticated by one indexed lookup on the hash (no timing oracle on the key:
 * the comparison is SQLite's index lookup of a digest, not a character-by-character compare).
 */
export function hashApiKey(key: string): string {
  // One-shot digest: no Hash object per request (every API request hashes its key).
  return hash('sha256', key, 'hex');
}

/** What lists show of a key: its prefix and first random characters, never enough to use it. */
export function keyHint(key: string): string {
  return `${key.slice(0, API_KEY_PREFIX.length + 4)}…`;
}
