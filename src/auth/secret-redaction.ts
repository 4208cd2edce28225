import { API_KEY_PREFIX } from './api-key.secret.js';

// A convoi API key (prefix + base64url), wherever it sits in a text: someone may paste a key into
// a URL by mistake, and the audit log must not keep it.
const API_KEY_LIKE = new RegExp(`${API_KEY_PREFIX}[A-Za-z0-9_-]{16,}`, 'g');
const MAX_LENGTH = 300;

/** The text with anything shaped like an API key replaced by `cv_***`, and bounded in length. */
export function redactSecrets(text: string): string {
  return text.replace(API_KEY_LIKE, `${API_KEY_PREFIX}***`).slice(0, MAX_LENGTH);
}
