import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rssTrend } from './rss-trend.js';

describe(rssTrend.name, () => {
  it('calls a plateau after the first minute flat, whatever the warm-up grew', () => {
    const trend = rssTrend([500, 1000, 1004, 998, 1003, 1001, 999, 1002, 1000, 1001], 30);
    assert.equal(trend?.spanS, 240, 'the last 4 minutes of a 5-minute soak');
    assert.equal(trend?.flat, true);
    assert.ok(Math.abs(trend.slopeMbPerMin) < 1);
  });

  it('calls a steady climb a leak even when each step is small', () => {
    const trend = rssTrend([900, 1000, 1010, 1020, 1030, 1040, 1050, 1060, 1070, 1080], 30);
    assert.equal(trend?.slopeMbPerMin, 20);
    assert.equal(trend?.growthMb, 80);
    assert.equal(trend?.flat, false, '80 MB in 4 minutes is over 5 % of ~1,040 MB');
  });

  it('gives no verdict on fewer than three windows', () => {
    assert.equal(rssTrend([1000, 1001], 30), undefined);
  });
});
