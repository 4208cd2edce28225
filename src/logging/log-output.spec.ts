import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logOutputFrom } from './log-output.js';

describe(logOutputFrom.name, () => {
  it('writes JSON without colours to a pipe or a file, pretty with colours to a terminal', () => {
    assert.deepEqual(logOutputFrom({ LOG_LEVEL: 'log' }, { isTTY: undefined }), {
      level: 'log',
      format: 'json',
      colour: false,
    });
    assert.deepEqual(logOutputFrom({ LOG_LEVEL: 'debug' }, { isTTY: true }), {
      level: 'debug',
      format: 'pretty',
      colour: true,
    });
  });

  it('lets LOG_FORMAT choose the format, never the colours', () => {
    assert.deepEqual(logOutputFrom({ LOG_LEVEL: 'log', LOG_FORMAT: 'pretty' }, {}), {
      level: 'log',
      format: 'pretty',
      colour: false,
    });
    assert.equal(logOutputFrom({ LOG_LEVEL: 'log', LOG_FORMAT: 'json' }, { isTTY: true }).format, 'json');
  });
});
