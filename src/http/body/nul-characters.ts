/**
 * Where a parsed JSON body holds U+0000 (NUL) in a string or a key, as a path (`label`,
 * `containers[3].id`), or undefined. PostgreSQL's text cannot store NUL (it refuses the whole
 * statement, which would surface as a 500), and SQLite would store it where no client expects
 * one; so a body with one is refused as the bad input it is, the same on both stores.
 */
export function nulCharacterPath(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\0') ? path || '(body)' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulCharacterPath(value[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    // The key itself is named with its NUL written out, not echoed into the answer.
    if (key.includes('\0')) return at.replaceAll('\0', '\\u0000');
    const found = nulCharacterPath(item, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Whether JSON text may hold a NUL: only as the escape `\u0000`, so most bodies skip the walk. */
export function mayHoldNul(text: string): boolean {
  return /\\u0000/i.test(text);
}
