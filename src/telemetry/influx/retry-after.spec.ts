import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfter, RETRY_AFTER_CAP_MS } from './retry-after.js';

describe(parseRetryAfter.name, () => {
  const now = Date.UTC(2026, 10, 22, 8, 0, 0);

  it('reads delay-seconds as seconds, not milliseconds', () => {
    assert.equal(parseRetryAfter('2', now), 2000);
    assert.equal(parseRetryAfter(' 30 ', now), 30_000);
    assert.equal(parseRetryAfter('0', now), 0);
  });

  it('reads an HTTP-date as the time left until then', () => {
    assert.equal(parseRetryAfter('Sun, 22 Nov 2026 08:00:05 GMT', now), 5000);
    assert.equal(parseRetryAfter('Sun, 22 Nov 2026 07:59:00 GMT', now), 0);
  });

  it('ignores what is neither', () => {
    for (const v of [undefined, '', '-1', '1.5', '2s', 'soon', '2026-11-22T08:00:05Z']) {
      assert.equal(parseRetryAfter(v, now), undefined, String(v));
    }
  });

  it('caps absurd waits', () => {
    assert.equal(parseRetryAfter('99999999', now), RETRY_AFTER_CAP_MS);
  });

  it('takes the first of repeated headers', () => {
    assert.equal(parseRetryAfter(['3', '9'], now), 3000);
  });
});
