import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Reading } from '#src/contracts/reading.js';
import { appendReading, concatColumns, emptyColumns, mergeRepeatedKeys } from './reading-columns.js';

const T = Date.UTC(2026, 10, 22, 10);

function reading(extra: Partial<Reading> = {}): Reading {
  return {
    deviceId: 'D1',
    containerId: 'C1',
    measuredAt: T,
    receivedAt: T + 5,
    source: 'json',
    dedupeKey: 'k',
    quality: { lagMs: 5, late: false },
    ...extra,
  };
}

const columnsOf = (...readings: Reading[]) => {
  const c = emptyColumns();
  for (const r of readings) appendReading(c, r);
  return c;
};

describe(mergeRepeatedKeys.name, () => {
  it('returns the same columns when no key repeats', () => {
    const c = columnsOf(reading(), reading({ deviceId: 'D2' }), reading({ measuredAt: T + 1 }));
    assert.equal(mergeRepeatedKeys(c), c);
  });

  it('merges a repeated key into its first row: later values replace, missing ones keep', () => {
    const c = columnsOf(
      reading({ temperatureC: 4, humidityPct: 80, shipmentId: 'S1' }),
      reading({ deviceId: 'D2', temperatureC: 9 }),
      reading({ temperatureC: 5, receivedAt: T + 50, source: 'tts', quality: { lagMs: 50, late: true } }),
      reading({ doorOpen: false, receivedAt: T + 60, quality: { fCnt: 3, lagMs: 60, late: false } }),
    );
    const m = mergeRepeatedKeys(c);
    assert.deepEqual(m.deviceId, ['D1', 'D2']);
    assert.deepEqual(
      [m.temperatureC, m.humidityPct, m.shipmentId, m.doorOpen, m.fCnt],
      [
        [5, 9],
        [80, null],
        ['S1', null],
        [false, null],
        [3, null],
      ],
    );
    assert.deepEqual(
      [m.receivedAt, m.source, m.lagMs, m.late],
      [
        [T + 60, T + 5],
        ['json', 'json'],
        [60, 5],
        [false, false],
      ],
    );
  });

  it('merges repeats across concatenated batches', () => {
    const m = mergeRepeatedKeys(
      concatColumns([columnsOf(reading({ shockG: 2 })), columnsOf(reading({ lat: 45 }))]),
    );
    assert.deepEqual([m.shockG, m.lat, m.containerId.length], [[2], [45], 1]);
  });
});
