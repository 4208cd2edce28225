import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TableDigest } from './table-digest.js';

const COLUMNS = ['id', 'door_open', 'temperature_c'];
const digestOf = (rows: Record<string, unknown>[]): TableDigest => {
  const digest = new TableDigest();
  for (const row of rows) digest.add(row, COLUMNS);
  return digest;
};
const ROWS = [
  { id: 'a', door_open: 1, temperature_c: -21.5 },
  { id: 'b', door_open: 0, temperature_c: null },
  { id: 'c', door_open: null, temperature_c: 3.25 },
];

describe(TableDigest.name, () => {
  it('is the same for the same rows in any order, with booleans as PostgreSQL returns them', () => {
    const fromPostgres = [ROWS[2], { ...ROWS[1], door_open: false }, { ...ROWS[0], door_open: true }];
    assert.ok(digestOf(ROWS).equals(digestOf(fromPostgres)));
    assert.equal(digestOf(ROWS).value, digestOf(fromPostgres).value);
  });

  it('differs when a row is missing, added twice, or has one value changed', () => {
    const digest = digestOf(ROWS);
    assert.ok(!digest.equals(digestOf(ROWS.slice(1))));
    assert.ok(!digest.equals(digestOf([...ROWS, ROWS[0]])));
    assert.ok(!digest.equals(digestOf([ROWS[0], ROWS[1], { ...ROWS[2], temperature_c: 3.2500001 }])));
    assert.ok(!digest.equals(digestOf([ROWS[0], { ...ROWS[1], temperature_c: 0 }, ROWS[2]])));
  });
});
