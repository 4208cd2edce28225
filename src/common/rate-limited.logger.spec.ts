import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from './clock.js';
import { LOG_LINES_PER_SECOND, RateLimitedLogger } from './rate-limited.logger.js';

void describe(RateLimitedLogger.name, () => {
  void it('writes at most the limit in a second, then one summary of the rest', () => {
    const clock = new ManualClock();
    const lines: string[] = [];
    const logger = new RateLimitedLogger(
      { warn: (_f: object, m: string) => lines.push(m), debug: (_f: object, m: string) => lines.push(m) },
      clock,
      'client errors',
    );
    for (let i = 0; i < 100; i++) logger.warn({ i }, `error ${i}`);
    assert.equal(lines.length, LOG_LINES_PER_SECOND);
    clock.advance(1000);
    logger.debug({}, 'after');
    assert.deepEqual(lines.slice(LOG_LINES_PER_SECOND), [
      `${100 - LOG_LINES_PER_SECOND} more client errors not logged in the last second`,
      'after',
    ]);
  });
});
