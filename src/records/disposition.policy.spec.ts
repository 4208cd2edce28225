import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideDisposition, type DispositionFacts } from './disposition.policy.js';
import { CHILLED } from './shipment-record.fixtures.js';

const clean: DispositionFacts = {
  temperatureReadings: 100,
  cumulativeOutOfRangeMin: 0,
  mktC: 5,
  shockPeaksG: [],
  completenessPct: 100,
};

describe(decideDisposition.name, () => {
  it('accepts when every limit held', () => {
    assert.deepEqual(decideDisposition(CHILLED, clean), {
      decision: 'accept',
      reasons: [
        { code: 'within-limits', outcome: 'accept', message: 'every limit of profile chilled-8 held' },
      ],
    });
  });

  it('asks for inspection when there is no temperature data', () => {
    const out = decideDisposition(CHILLED, {
      ...clean,
      temperatureReadings: 0,
      mktC: undefined,
      completenessPct: 0,
    });
    assert.equal(out.decision, 'inspect');
    assert.deepEqual(
      out.reasons.map((r) => r.code),
      ['no-temperature-data', 'completeness-low'],
    );
  });

  it('asks for inspection when the MKT is above the maximum even with tolerated excursions', () => {
    const out = decideDisposition(CHILLED, { ...clean, cumulativeOutOfRangeMin: 25, mktC: 8.4 });
    assert.equal(out.decision, 'inspect');
    assert.deepEqual(
      out.reasons.map((r) => [r.code, r.outcome]),
      [
        ['excursion-within-tolerance', 'accept'],
        ['mkt-above-limit', 'inspect'],
      ],
    );
  });

  it('treats exactly the tolerated time as tolerated, and the threshold of completeness as enough', () => {
    assert.equal(decideDisposition(CHILLED, { ...clean, cumulativeOutOfRangeMin: 30 }).decision, 'accept');
    assert.equal(decideDisposition(CHILLED, { ...clean, cumulativeOutOfRangeMin: 30.01 }).decision, 'reject');
    assert.equal(decideDisposition(CHILLED, { ...clean, completenessPct: 90 }).decision, 'accept');
    assert.equal(decideDisposition(CHILLED, { ...clean, completenessPct: 89.9 }).decision, 'inspect');
    assert.equal(decideDisposition(CHILLED, { ...clean, completenessPct: 95 }, 98).decision, 'inspect');
  });

  it('keeps the worst outcome: reject wins over inspect', () => {
    const out = decideDisposition(
      { ...CHILLED, fragile: true },
      { ...clean, cumulativeOutOfRangeMin: 90, shockPeaksG: [6, 11], completenessPct: 50 },
    );
    assert.equal(out.decision, 'reject');
    assert.match(
      out.reasons.find((r) => r.code === 'shock-over-limit')?.message ?? '',
      /2 shock\(s\) over 5 g \(worst 11 g\)/,
    );
  });
});
