import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IsISO8601, IsOptional, validateSync } from 'class-validator';
import { IsRangeEnd, MAX_TIME_RANGE_MS, timeRangeProblem } from './is-range-end.decorator.js';

class RangeQuery {
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  @IsRangeEnd('since', 10_000)
  until?: string;
}

const messages = (q: Partial<RangeQuery>): string[] =>
  validateSync(Object.assign(new RangeQuery(), q)).flatMap((e) => Object.values(e.constraints ?? {}));

describe(IsRangeEnd.name, () => {
  it('accepts a range within the span, and either end alone', () => {
    assert.deepEqual(messages({ since: '2026-01-01T00:00:00Z', until: '2026-01-01T00:00:10Z' }), []);
    assert.deepEqual(messages({ until: '2026-01-01T00:00:10Z' }), []);
    assert.deepEqual(messages({ since: '2026-01-01T00:00:10Z' }), []);
  });

  it('names both parameters when the range is inverted or empty', () => {
    for (const until of ['2025-12-31T23:59:59Z', '2026-01-01T00:00:00Z']) {
      assert.deepEqual(messages({ since: '2026-01-01T00:00:00Z', until }), ['until must be after since']);
    }
  });

  it('refuses a range longer than its span', () => {
    assert.deepEqual(messages({ since: '2026-01-01T00:00:00Z', until: '2026-01-01T00:00:10.001Z' }), [
      'until must be at most 10000 ms after since',
    ]);
  });

  it('leaves malformed instants to @IsISO8601 (one message per mistake)', () => {
    const errors = messages({ since: 'yesterday', until: '2026-01-01T00:00:00Z' });
    assert.equal(errors.length, 1);
    assert.match(errors[0], /since must be a valid ISO 8601/);
  });
});

describe(timeRangeProblem.name, () => {
  it('allows exactly the maximum span and no more', () => {
    assert.equal(timeRangeProblem(0, MAX_TIME_RANGE_MS), undefined);
    assert.equal(timeRangeProblem(0, MAX_TIME_RANGE_MS + 1), 'to must be at most 400 days after from');
    assert.equal(timeRangeProblem(5, 5), 'to must be after from');
  });
});
