/**
 * PostgreSQL array literals (`{…}`, the text input of `text[]`, `float8[]`, `bigint[]`,
 * `boolean[]`) written for the readings' columns, in place of pg's own encoding of a JS array,
 * which quotes every element and runs two regular expressions over each (a number included): for
 * a statement of 100 readings that is 2,000 strings, about twice this cost in convoi, and text
 * the server parses longer.
 *
 * A column with no value in any row is sent as `{}`: the readings' INSERT unnests its arrays
 * together, and `unnest(a, b, …)` pads the shorter ones with NULL (PostgreSQL's array functions),
 * so the server reads no NULL list for the columns a format never carries (a JSON device has no
 * RSSI, a LoRaWAN one no door).
 */

/** Characters a quoted element must escape with a backslash. */
const ESCAPED = /["\\]/g;

/**
 * A column's values, in parts (one per batch a statement carries: written as one array, with no
 * copy of the parts into one).
 */
export type ColumnParts<T> = readonly (readonly (T | null)[])[];

/** `{"a","b\"c",NULL}`: every element quoted (a container id may hold a comma, a brace, a space). */
export function textArrayLiteral(parts: ColumnParts<string>): string {
  return arrayLiteral(parts, (v) => `"${v.replace(ESCAPED, '\\$&')}"`);
}

/**
 * `{1.5,-2,NULL}`: JavaScript's shortest round-trip form, which float8 and bigint read back to
 * the same number (`NaN`, `Infinity` and `-Infinity` included, spelled as PostgreSQL spells them).
 */
export function numberArrayLiteral(parts: ColumnParts<number>): string {
  return arrayLiteral(parts, String);
}

/** `{t,f,NULL}`. */
export function booleanArrayLiteral(parts: ColumnParts<boolean>): string {
  return arrayLiteral(parts, (v) => (v ? 't' : 'f'));
}

function arrayLiteral<T>(parts: ColumnParts<T>, element: (value: T) => string): string {
  if (parts.every((values) => values.every((v) => v === null))) return '{}';
  let literal = '';
  for (const values of parts) for (const v of values) literal += v === null ? ',NULL' : `,${element(v)}`;
  return `{${literal.slice(1)}}`;
}
