/** The longest wait a `Retry-After` may impose; past it a misconfigured proxy would stall us. */
export const RETRY_AFTER_CAP_MS = 60 * 60_000;

/**
 * Reads an HTTP `Retry-After` header (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date.
 * Returns the wait in milliseconds, or undefined when absent or unreadable. The InfluxDB client
 * reads the number as milliseconds, so `Retry-After: 30` would mean 30 ms there: not here.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, RETRY_AFTER_CAP_MS);
  // Only the date forms, never a bare number with a unit or anything Date.parse guesses at.
  if (!/^[A-Za-z]{3,9},? /.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - nowMs), RETRY_AFTER_CAP_MS);
}
