import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { READING_BOUNDS } from '#src/contracts/reading.js';
import { EARLIEST_MEASURED_AT, LATEST_EPOCH_MS, validateNativeReading } from './native-reading.schema.js';

const TS = Date.UTC(2026, 10, 22, 10, 0, 0);

/** The messages the schema gives for `fields` on top of a valid `ts`, or 'valid'. */
function verdict(fields: Record<string, unknown>, ts: unknown = TS): string[] | 'valid' {
  const found = validateNativeReading({ ts, ...fields });
  return found === undefined ? 'valid' : found.map((v) => `${v.range ? 'range' : 'schema'}: ${v.message}`);
}

const NUMBERS: [string, { min: number; max: number }][] = [
  ['temperature', READING_BOUNDS.temperatureC],
  ['humidity', READING_BOUNDS.humidityPct],
  ['shock', READING_BOUNDS.shockG],
  ['lat', READING_BOUNDS.lat],
  ['lon', READING_BOUNDS.lon],
  ['alt', READING_BOUNDS.altM],
  ['battery', READING_BOUNDS.batteryPct],
];

describe('NATIVE_READING_SCHEMA', () => {
  for (const [field, { min, max }] of NUMBERS) {
    it(`holds ${field} to [${min}, ${max}], bounds included, as a range violation`, () => {
      assert.equal(verdict({ [field]: min }), 'valid');
      assert.equal(verdict({ [field]: max }), 'valid');
      assert.deepEqual(verdict({ [field]: min - 1e-9 }), [`range: ${field} must not be less than ${min}`]);
      assert.deepEqual(verdict({ [field]: max + 1e-9 }), [`range: ${field} must not be greater than ${max}`]);
    });

    it(`refuses a ${field} that is not a finite JSON number as a schema violation`, () => {
      for (const value of ['4.5', true, [4.5], { v: 4.5 }, Infinity, -Infinity, NaN]) {
        assert.deepEqual(
          verdict({ [field]: value }),
          [`schema: ${field} must be a number conforming to the specified constraints`],
          `${typeof value} ${JSON.stringify(value)}`,
        );
      }
    });
  }

  it('holds seq to an integer in 0…2³²−1', () => {
    assert.equal(verdict({ seq: 0 }), 'valid');
    assert.equal(verdict({ seq: 0xffffffff }), 'valid');
    assert.deepEqual(verdict({ seq: -1 }), ['range: seq must not be less than 0']);
    assert.deepEqual(verdict({ seq: 0x100000000 }), ['range: seq must not be greater than 4294967295']);
    assert.deepEqual(verdict({ seq: 1.5 }), ['schema: seq must be an integer number']);
    assert.deepEqual(verdict({ seq: '1' }), ['schema: seq must be an integer number']);
  });

  it('takes door open or closed, nothing else', () => {
    assert.equal(verdict({ door: 'open' }), 'valid');
    assert.equal(verdict({ door: 'closed' }), 'valid');
    for (const door of ['ajar', 'OPEN', '', 1, true]) {
      assert.deepEqual(verdict({ door }), ['schema: door must be one of the following values: open, closed']);
    }
  });

  it('takes accel as exactly x, y, z within ±200 g', () => {
    assert.equal(verdict({ accel: { x: -200, y: 200, z: 0 } }), 'valid');
    assert.deepEqual(verdict({ accel: { x: 200.5, y: 0, z: 0 } }), [
      'range: accel.x must not be greater than 200',
    ]);
    assert.deepEqual(verdict({ accel: { x: 0, y: 0 } }), [
      'schema: accel.z must be a number conforming to the specified constraints',
    ]);
    assert.deepEqual(verdict({ accel: { x: 0, y: 0, z: 0, w: 1 } }), ['schema: accel: unknown field(s): w']);
    for (const accel of [[], [{ x: 1, y: 1, z: 1 }], 'x', 5]) {
      assert.deepEqual(
        verdict({ accel }),
        ['schema: accel must be an object of x, y, z'],
        JSON.stringify(accel),
      );
    }
  });

  it('reads a null field as absent, but never a null ts', () => {
    const nulls = { seq: null, temperature: null, accel: null, door: null, lat: null };
    assert.equal(verdict(nulls), 'valid');
    assert.deepEqual(verdict({}, null), ['schema: ts must be an ISO-8601 string or epoch milliseconds']);
    assert.deepEqual(verdict({ accel: { x: null, y: 0, z: 0 } }), [
      'schema: accel.x must be a number conforming to the specified constraints',
    ]);
  });

  it('takes ts as epoch ms from 2000-01-01 to 1e14, or ISO-8601 with a zone', () => {
    assert.equal(verdict({}, EARLIEST_MEASURED_AT), 'valid');
    assert.equal(verdict({}, LATEST_EPOCH_MS), 'valid');
    assert.equal(verdict({}, '2026-11-22T10:00:00.123456789+14:00'), 'valid');
    assert.deepEqual(validateNativeReading({ temperature: 2 }), [
      { range: false, message: 'ts must be an ISO-8601 string or epoch milliseconds' },
    ]);
    const refused: [unknown, RegExp][] = [
      [EARLIEST_MEASURED_AT - 1, /before 2000-01-01/],
      [LATEST_EPOCH_MS + 1, /microseconds or nanoseconds/],
      [1_795_341_600, /epoch seconds/],
      [TS + 0.5, /integer number of epoch milliseconds/],
      ['2026-11-22T10:00:00', /with a zone/],
      ['2026-12-31T23:59:60Z', /not a valid date-time/],
      ['1999-12-31T23:59:59Z', /before 2000-01-01/],
    ];
    for (const [ts, why] of refused) {
      const found = verdict({}, ts);
      assert.ok(found !== 'valid' && found.length === 1, String(ts));
      assert.match(found[0], /^schema: /);
      assert.match(found[0], why);
    }
  });

  it('refuses unknown fields first and alone, naming at most five', () => {
    assert.deepEqual(verdict({ temperature: 'x', b: 1, a: 2 }), ['schema: unknown field(s): b, a']);
    const many = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`k${i}`, i]));
    assert.deepEqual(verdict(many), ['schema: unknown field(s): k0, k1, k2, k3, k4']);
    const polluting = JSON.parse('{"ts":1795341600000,"__proto__":{"admin":true}}') as object;
    assert.deepEqual(validateNativeReading(polluting), [
      { range: false, message: 'unknown field(s): __proto__' },
    ]);
  });

  it('lists every refused field in schema order', () => {
    assert.deepEqual(verdict({ door: 'ajar', temperature: -300, humidity: 120 }, 'x'), [
      'schema: ts="x" is not ISO-8601 with a zone (e.g. 2026-11-22T10:00:00Z)',
      'range: temperature must not be less than -50',
      'range: humidity must not be greater than 100',
      'schema: door must be one of the following values: open, closed',
    ]);
  });
});
