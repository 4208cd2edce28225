import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistoryQuery, HistoryRow } from '#src/telemetry/telemetry.ports.js';
import { readWholeHistory } from './history-pages.util.js';

/** An in-memory reader with the port's contract: the newest `limit` rows of [from, to), oldest first. */
function readerOf(times: number[]) {
  const rows = times.map((t, i) => ({ measuredAt: t, deviceId: `d${i}` }) as HistoryRow);
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    history(q: HistoryQuery): Promise<HistoryRow[]> {
      calls++;
      const inRange = rows.filter((r) => r.measuredAt >= q.from && r.measuredAt < q.to);
      return Promise.resolve(inRange.slice(Math.max(0, inRange.length - q.limit)));
    },
  };
}

describe(readWholeHistory.name, () => {
  it('pages backwards through more rows than one page holds, each row once, oldest first', async () => {
    const times = Array.from({ length: 1003 }, (_, i) => 1000 + i * 10);
    const reader = readerOf(times);
    const { rows, truncated } = await readWholeHistory(
      reader,
      { containerId: 'C', from: 0, to: 1e9 },
      100,
      1e6,
    );
    assert.equal(truncated, false);
    assert.deepEqual(
      rows.map((r) => r.measuredAt),
      times,
    );
    assert.ok(reader.calls >= 11 && reader.calls <= 13, `${reader.calls} pages`);
  });

  it('keeps rows sharing the page boundary instant exactly once', async () => {
    const times = [1, 2, 3, 3, 3, 4, 5];
    const { rows } = await readWholeHistory(readerOf(times), { containerId: 'C', from: 0, to: 10 }, 3, 1e6);
    assert.deepEqual(
      rows.map((r) => r.measuredAt),
      times,
    );
  });

  it('stops at maxRows and says the history is truncated', async () => {
    const times = Array.from({ length: 500 }, (_, i) => i + 1);
    const { rows, truncated } = await readWholeHistory(
      readerOf(times),
      { containerId: 'C', from: 0, to: 1e6 },
      50,
      120,
    );
    assert.equal(truncated, true);
    assert.ok(rows.length >= 120 && rows.length < 200);
    assert.equal(rows[rows.length - 1].measuredAt, 500, 'the newest rows are kept');
  });
});
