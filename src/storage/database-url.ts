/**
 * A database URL fit for a log line: its password replaced by `***` (the URL is a secret,
 * README Configuration). Text that does not parse as a URL is hidden whole rather than risked.
 */
export function redactDatabaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '***';
  }
  if (parsed.password !== '') parsed.password = '***';
  // A password may also ride in the query string (libpq's `?password=`).
  if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
  return parsed.toString();
}
