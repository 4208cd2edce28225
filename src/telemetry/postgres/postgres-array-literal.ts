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

/** `{"a","b\"c",NULL}`: every element quoted (a container id may hold a comma, a brace, a space). */
export function textArrayLiteral(values: readonly (string | null)[]): string {
  return arrayLiteral(values, (v) => `"${v.replace(ESCAPED, '\\$&')}"`);
}

/**
 * `{1.5,-2,NULL}`: JavaScript's shortest round-trip form, which float8 and bigint read back to
 * the same number (`NaN`, `Infinity` and `-Infinity` included, spelled as PostgreSQL spells them).
 */
export function numberArrayLiteral(values: readonly (number | null)[]): string {
  return arrayLiteral(values, String);
}

/** `{t,f,NULL}`. */
export function booleanArrayLiteral(values: readonly (boolean | null)[]): string {
  return arrayLiteral(values, (v) => (v ? 't' : 'f'));
}

function arrayLiteral<T>(values: readonly (T | null)[], element: (value: T) => string): string {
  if (values.every((v) => v === null)) return '{}';
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) literal += ',';
    const v = values[i];
    literal += v === null ? 'NULL' : element(v);
  }
  return literal + '}';
}
