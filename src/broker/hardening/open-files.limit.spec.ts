import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  openFilesShortfall,
  parseOpenFilesLimit,
  processOpenFilesLimit,
  RESERVED_FILES,
} from './open-files.limit.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             95864                95864                processes
Max open files            20000                524288               files
Max locked memory         8388608              8388608              bytes
`;

void describe(parseOpenFilesLimit.name, () => {
  void it('reads the soft limit on open files', () => {
    assert.equal(parseOpenFilesLimit(LIMITS), 20_000);
  });

  void it('has no limit to report when it is unlimited or not listed', () => {
    assert.equal(parseOpenFilesLimit(LIMITS.replace('20000 ', 'unlimited ')), undefined);
    assert.equal(parseOpenFilesLimit('nothing here'), undefined);
  });

  void it("reads this process's own limit (Linux)", () => {
    assert.ok(existsSync('/proc/self/limits'), 'convoi runs on Linux');
    assert.ok((processOpenFilesLimit() ?? 0) > 0);
  });
});

void describe(openFilesShortfall.name, () => {
  void it('names the limit, the connections it allows and how to raise it', () => {
    const why = openFilesShortfall(200_000, 20_000) ?? '';
    assert.match(why, /may open 20000 files/);
    assert.match(why, new RegExp(`at most ~${20_000 - RESERVED_FILES} MQTT connections`));
    assert.match(why, /BROKER_MAX_CONNECTIONS=200000/);
    assert.match(why, /ulimit -n/);
  });

  void it('is silent when the limit leaves room for every connection', () => {
    assert.equal(openFilesShortfall(20_000, 20_000 + RESERVED_FILES), undefined);
    assert.equal(openFilesShortfall(200_000, undefined), undefined);
  });
});
