import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { meanKineticTemperature, sampleWeights, timeWeightedMean } from './mean-kinetic-temperature.util.js';

const MIN = 60_000;
const evenly = (values: number[], stepMs = 5 * MIN) => values.map((c, i) => ({ t: i * stepMs, c }));
const near = (actual: number | undefined, expected: number, tolerance: number): void =>
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) <= tolerance,
    `${actual} is not ${expected} ± ${tolerance}`,
  );

describe(meanKineticTemperature.name, () => {
  it('is 5.000 °C for a constant 5 °C', () => {
    near(meanKineticTemperature(evenly([5, 5, 5, 5])), 5, 1e-9);
    assert.equal(meanKineticTemperature(evenly([5]))?.toFixed(3), '5.000');
  });

  it('is 5.536 °C for equally spaced readings [2, 8]', () => {
    assert.equal(meanKineticTemperature(evenly([2, 8]))?.toFixed(3), '5.536');
  });

  it('is 5.768 °C for 23 readings at 4 °C and one at 20 °C', () => {
    const values = [...Array<number>(23).fill(4), 20];
    assert.equal(meanKineticTemperature(evenly(values))?.toFixed(3), '5.768');
    // The position of the warm reading does not matter when spacing is even.
    assert.equal(meanKineticTemperature(evenly([20, ...values.slice(0, 23)]))?.toFixed(3), '5.768');
  });

  it('weighs uneven readings by the time they stand for, not by their count', () => {
    // One hour at 2 °C read every minute, then one hour at 8 °C read every 10 minutes.
    const cold = Array.from({ length: 60 }, (_, i) => ({ t: i * MIN, c: 2 }));
    const warm = Array.from({ length: 6 }, (_, i) => ({ t: 60 * MIN + i * 10 * MIN, c: 8 }));
    const uneven = meanKineticTemperature([...warm, ...cold]);
    const byCount = (60 * Math.exp(-1e4 / 275.15) + 6 * Math.exp(-1e4 / 281.15)) / 66;
    const countWeighted = 1e4 / -Math.log(byCount) - 273.15;
    near(uneven, 5.536, 0.3);
    assert.ok(countWeighted < 3, `count weighting would say ${countWeighted}`);
  });

  it('does not let a sample next to an offline gap stand for the gap', () => {
    const samples = [
      { t: 0, c: 4 },
      { t: 5 * MIN, c: 4 },
      { t: 10 * MIN, c: 20 },
      { t: 190 * MIN, c: 4 },
      { t: 195 * MIN, c: 4 },
    ];
    const capped = meanKineticTemperature(samples, { maxHalfIntervalMs: 2.5 * MIN });
    const uncapped = meanKineticTemperature(samples);
    near(capped, meanKineticTemperature(evenly([4, 4, 20, 4, 4])) ?? NaN, 1e-9);
    assert.ok((uncapped ?? 0) > (capped ?? 0) + 3, `${uncapped} vs ${capped}`);
  });

  it('ignores unusable samples and is undefined with none', () => {
    assert.equal(meanKineticTemperature([]), undefined);
    assert.equal(
      meanKineticTemperature([
        { t: 0, c: Number.NaN },
        { t: 1, c: -300 },
      ]),
      undefined,
    );
    near(
      meanKineticTemperature([
        { t: 0, c: 5 },
        { t: 1, c: Number.NaN },
      ]),
      5,
      1e-9,
    );
  });
});

describe(sampleWeights.name, () => {
  it('gives each sample its half-intervals, ends doubled, capped when asked', () => {
    assert.deepEqual(sampleWeights([0, 10, 30]), [10, 15, 20]);
    assert.deepEqual(sampleWeights([0, 5, 100], { maxHalfIntervalMs: 2.5 }), [5, 5, 5]);
    assert.deepEqual(sampleWeights([7]), [1]);
    assert.deepEqual(sampleWeights([7, 7]), [1, 1]);
  });
});

describe(timeWeightedMean.name, () => {
  it('is the plain mean for even spacing and time-weighted otherwise', () => {
    near(timeWeightedMean(evenly([2, 8])), 5, 1e-12);
    near(
      timeWeightedMean([
        { t: 0, c: 0 },
        { t: 10, c: 0 },
        { t: 11, c: 10 },
      ]),
      10 / 16.5,
      1e-12,
    );
  });
});
