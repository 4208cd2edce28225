/**
 * Deepest nesting of objects and arrays a request body may have. The API's deepest documents
 * (a fleet import page with a GeoJSON polygon geofence) nest about 8 levels; class-transformer
 * walks a body recursively, and a body nested 50,000 levels (100 KB of `[`) overflows its stack.
 */
export const MAX_JSON_DEPTH = 32;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * Whether JSON text nests objects and arrays deeper than `max`, read in one pass over its bytes
 * before it is parsed: brackets inside strings do not count (a string ends at a quote that no
 * backslash escapes). The text need not be valid JSON; the parser judges that afterwards.
 */
export function nestsDeeperThan(text: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (++depth > max) return true;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) depth--;
  }
  return false;
}
