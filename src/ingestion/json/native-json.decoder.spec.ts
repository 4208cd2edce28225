import 'reflect-metadata';
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { DecodeResult } from '../decode-result.js';
import { NativeJsonDecoder } from './native-json.decoder.js';

const RECEIVED = Date.UTC(2026, 10, 22, 10, 0, 0);
const ISO = '2026-11-22T09:59:30Z';

function only(results: DecodeResult[]): DecodeResult {
  assert.equal(results.length, 1);
  return results[0];
}

function rejection(results: DecodeResult[]) {
  const r = only(results);
  assert.ok(!r.ok, 'expected a rejection');
  return r.rejection;
}

describe(NativeJsonDecoder.name, () => {
  let decoder: NativeJsonDecoder;
  beforeEach(() => (decoder = new NativeJsonDecoder()));
  const decode = (payload: string | Buffer) =>
    decoder.decode('dev-1', typeof payload === 'string' ? Buffer.from(payload) : payload, RECEIVED);

  it('builds the canonical reading from every native field', () => {
    const r = only(
      decode(
        JSON.stringify({
          ts: ISO,
          seq: 42,
          temperature: -18.4,
          humidity: 55,
          shock: 1.5,
          lat: 45.6418,
          lon: 5.1135,
          alt: 250,
          battery: 88,
          door: 'open',
        }),
      ),
    );
    assert.ok(r.ok);
    assert.deepEqual(r.readings[0], {
      deviceId: 'dev-1',
      measuredAt: Date.parse(ISO),
      receivedAt: RECEIVED,
      source: 'json',
      seq: 42,
      // The identity (device, measuredAt), not the seq: a rebooted device counts from 0 again.
      dedupeKey: `dev-1:t:${Date.parse(ISO)}`,
      temperatureC: -18.4,
      humidityPct: 55,
      shockG: 1.5,
      lat: 45.6418,
      lon: 5.1135,
      altM: 250,
      batteryPct: 88,
      doorOpen: true,
      quality: { lagMs: 30_000, late: false },
    });
  });

  it('derives the shock from the acceleration vector when no peak is given', () => {
    const r = only(decode(JSON.stringify({ ts: ISO, accel: { x: 3, y: 4, z: 0 } })));
    assert.ok(r.ok);
    assert.equal(r.readings[0].shockG, 5);
  });

  it('accepts epoch milliseconds and keys duplicates by time', () => {
    const r = only(decode(JSON.stringify({ ts: RECEIVED - 1000, temperature: 2 })));
    assert.ok(r.ok);
    assert.equal(r.readings[0].measuredAt, RECEIVED - 1000);
    assert.equal(r.readings[0].dedupeKey, `dev-1:t:${RECEIVED - 1000}`);
  });

  it('flags old readings late instead of refusing them', () => {
    const r = only(decode(JSON.stringify({ ts: '2026-11-19T10:00:00Z', temperature: 2 })));
    assert.ok(r.ok);
    assert.equal(r.readings[0].quality.late, true);
    assert.equal(r.readings[0].quality.lagMs, 3 * 86_400_000);
  });

  const refused: [string, string | Buffer, string, RegExp][] = [
    ['empty payload', '', 'parse', /empty/],
    ['truncated JSON', '{"temperature":4.5', 'parse', /not JSON/],
    ['key=value text', 'temp=4.5', 'parse', /not JSON/],
    ['a byte-order mark', `\uFEFF{"ts":"${ISO}","temperature":1}`, 'parse', /not JSON/],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'parse', /UTF-8/],
    ['null', 'null', 'schema', /JSON object/],
    ['a number', '4.5', 'schema', /JSON object/],
    ['an empty array', '[]', 'schema', /empty array/],
    ['an empty object', '{}', 'schema', /ts/],
    ['a string temperature', `{"ts":"${ISO}","temperature":"4.5"}`, 'schema', /temperature must be a number/],
    ['a boolean temperature', `{"ts":"${ISO}","temperature":true}`, 'schema', /temperature/],
    ['an array temperature', `{"ts":"${ISO}","temperature":[4.5]}`, 'schema', /temperature/],
    ['1e400 (Infinity)', `{"ts":"${ISO}","temperature":1e400}`, 'schema', /temperature/],
    [
      'below absolute zero',
      `{"ts":"${ISO}","temperature":-300}`,
      'range',
      /temperature must not be less than -50/,
    ],
    ['humidity 120 %', `{"ts":"${ISO}","humidity":120}`, 'range', /humidity/],
    ['battery -5 %', `{"ts":"${ISO}","battery":-5}`, 'range', /battery/],
    ['latitude 91', `{"ts":"${ISO}","lat":91,"lon":2}`, 'range', /lat/],
    ['a position string', `{"ts":"${ISO}","lat":"52.1N","lon":2}`, 'schema', /lat/],
    ['null island', `{"ts":"${ISO}","lat":0,"lon":0}`, 'range', /GPS fault/],
    ['lat without lon', `{"ts":"${ISO}","lat":45}`, 'schema', /together/],
    ['no measurement', `{"ts":"${ISO}"}`, 'empty', /no measurement/],
    ['epoch seconds', '{"ts":1795341600,"temperature":2}', 'schema', /epoch seconds/],
    // Past 8.64e15 not even a Date: `new Date(ts).toISOString()` threw and lost the whole batch.
    ['epoch nanoseconds', '{"ts":1700000000000000000,"temperature":2}', 'schema', /nanoseconds/],
    ['epoch microseconds', '{"ts":1795341600000000,"temperature":2}', 'schema', /microseconds/],
    ['the year 2100', '{"ts":4102444800000,"temperature":2}', 'future', /in the future/],
    ['an RTC reset to 1970', '{"ts":"1970-01-01T00:00:05Z","temperature":2}', 'schema', /before 2000/],
    ['a zoneless time', '{"ts":"2026-11-22T10:00:00","temperature":2}', 'schema', /with a zone/],
    ['a leap second', '{"ts":"2026-12-31T23:59:60Z","temperature":2}', 'schema', /not a valid/],
    ['10 min in the future', '{"ts":"2026-11-22T10:10:00Z","temperature":2}', 'future', /in the future/],
    [
      'an unknown field',
      `{"ts":"${ISO}","temperature":2,"tenantId":"other"}`,
      'schema',
      /unknown field\(s\): tenantId/,
    ],
    ['a prototype key', `{"ts":"${ISO}","temperature":2,"__proto__":{"x":1}}`, 'schema', /__proto__/],
    ['a door that is ajar', `{"ts":"${ISO}","door":"ajar"}`, 'schema', /door/],
    ['a negative seq', `{"ts":"${ISO}","temperature":2,"seq":-1}`, 'range', /seq/],
    // Before the schema: a NaN shock computed from an empty array, refused as out of range.
    ['an accel array', `{"ts":"${ISO}","accel":[]}`, 'schema', /^accel must be an object of x, y, z$/],
    ['an accel with a fourth axis', `{"ts":"${ISO}","accel":{"x":0,"y":0,"z":1,"w":1}}`, 'schema', /w/],
    ['only a null temperature', `{"ts":"${ISO}","temperature":null}`, 'empty', /no measurement/],
    [
      'two values out of range',
      `{"ts":"${ISO}","temperature":-300,"humidity":120}`,
      'range',
      /^temperature must not be less than -50; humidity must not be greater than 100$/,
    ],
    [
      'a string temperature, with one message',
      `{"ts":"${ISO}","temperature":"4.5"}`,
      'schema',
      /^temperature must be a number conforming to the specified constraints$/,
    ],
  ];
  for (const [name, payload, reason, detail] of refused) {
    it(`refuses ${name} as ${reason}`, () => {
      const r = rejection(decode(payload));
      assert.equal(r.reason, reason);
      assert.match(r.detail, detail);
      assert.equal(r.deviceId, 'dev-1');
    });
  }

  it('reads null fields as absent: a null door is not a closed one', () => {
    const r = only(
      decode(
        `{"ts":"${ISO}","seq":null,"temperature":2,"door":null,"shock":null,"accel":{"x":3,"y":4,"z":0}}`,
      ),
    );
    assert.ok(r.ok);
    const reading = r.readings[0];
    assert.equal(reading.temperatureC, 2);
    assert.equal(reading.shockG, 5);
    assert.equal('doorOpen' in reading, false);
    assert.equal('seq' in reading, false);
  });

  it('keeps the good readings of a batch and names the index of a bad one', () => {
    const results = decode(
      JSON.stringify([
        { ts: ISO, temperature: 2 },
        { ts: ISO, temperature: 'x' },
        { ts: '2026-11-22T09:59:40Z', temperature: 3 },
      ]),
    );
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, false, true],
    );
    assert.ok(!results[1].ok);
    assert.match(results[1].rejection.detail, /^\[1\] temperature/);
  });

  it('refuses a reading of a batch whose ts is in nanoseconds, and keeps the others', () => {
    const results = decode(
      `[{"ts":${RECEIVED - 3000},"temperature":5.1},{"ts":1700000000000000000,"temperature":5.2},` +
        `{"ts":${RECEIVED - 1000},"temperature":5.3}]`,
    );
    assert.deepEqual(
      results.map((r) => (r.ok ? r.readings[0].temperatureC : r.rejection.reason)),
      [5.1, 'schema', 5.3],
    );
  });

  it('refuses the batch over the size limit as a whole', () => {
    const batch = Array.from({ length: 1001 }, () => ({ ts: ISO, temperature: 1 }));
    assert.match(rejection(decode(JSON.stringify(batch))).detail, /1001 readings exceeds 1000/);
  });

  it('does not pollute Object.prototype', () => {
    decode(`{"ts":"${ISO}","temperature":2,"__proto__":{"polluted":true}}`);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
