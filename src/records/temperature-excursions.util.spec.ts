import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bandStatus, findExcursions } from './temperature-excursions.util.js';
import { findOfflineGaps } from './offline-gaps.util.js';

const MIN = 60_000;
const series = (values: number[]) =>
  values.map((temperatureC, i) => ({ measuredAt: i * 5 * MIN, temperatureC }));
const band = { minC: 2, maxC: 8 };

describe(findExcursions.name, () => {
  it('holds each out-of-range reading until the next reading back in range', () => {
    const out = findExcursions(series([5, 9, 10, 8.5, 8, 5]), band, 5 * MIN, Infinity);
    assert.deepEqual(out, [
      { direction: 'above', startMs: 5 * MIN, endMs: 20 * MIN, peakC: 10, ongoing: false },
    ]);
  });

  it('treats the limits as in range', () => {
    assert.equal(bandStatus(band, 8), 'in-range');
    assert.equal(bandStatus(band, 2), 'in-range');
    assert.deepEqual(findExcursions(series([2, 8, 2, 8]), band, 5 * MIN, Infinity), []);
  });

  it('splits a swing from above to below into two excursions with their own peaks', () => {
    const out = findExcursions(series([9, 12, 1, -1, 5]), band, 5 * MIN, Infinity);
    assert.deepEqual(
      out.map((e) => [e.direction, e.startMs / MIN, e.endMs / MIN, e.peakC]),
      [
        ['above', 0, 10, 12],
        ['below', 10, 20, -1],
      ],
    );
  });

  it('holds an excursion at the end of the series for one interval, not past the period', () => {
    const tail = findExcursions(series([5, 9]), band, 5 * MIN, Infinity);
    assert.deepEqual(tail, [
      { direction: 'above', startMs: 5 * MIN, endMs: 10 * MIN, peakC: 9, ongoing: true },
    ]);
    assert.equal(findExcursions(series([5, 9]), band, 5 * MIN, 7 * MIN)[0].endMs, 7 * MIN);
  });

  it('counts a gap inside an excursion as out of range (nobody saw it come back)', () => {
    const out = findExcursions(
      [
        { measuredAt: 0, temperatureC: 9 },
        { measuredAt: 60 * MIN, temperatureC: 5 },
      ],
      band,
      5 * MIN,
      Infinity,
    );
    assert.equal(out[0].endMs - out[0].startMs, 60 * MIN);
  });

  it('works with a one-sided band (frozen: at most −18 °C)', () => {
    const out = findExcursions(series([-22, -30, -15, -19]), { maxC: -18 }, 5 * MIN, Infinity);
    assert.deepEqual(
      out.map((e) => [e.direction, e.peakC]),
      [['above', -15]],
    );
  });
});

describe(findOfflineGaps.name, () => {
  it('finds silences longer than the threshold, at the ends as well as between readings', () => {
    const gaps = findOfflineGaps([20 * MIN, 25 * MIN, 60 * MIN, 65 * MIN], 0, 70 * MIN, 15 * MIN);
    assert.deepEqual(gaps, [
      { startMs: 0, endMs: 20 * MIN },
      { startMs: 25 * MIN, endMs: 60 * MIN },
    ]);
    assert.deepEqual(findOfflineGaps([], 0, 10 * MIN, 15 * MIN), []);
    assert.deepEqual(findOfflineGaps([], 0, 60 * MIN, 15 * MIN), [{ startMs: 0, endMs: 60 * MIN }]);
    assert.deepEqual(
      findOfflineGaps([0, 15 * MIN], 0, 15 * MIN, 15 * MIN),
      [],
      'exactly the threshold is no gap',
    );
  });
});
