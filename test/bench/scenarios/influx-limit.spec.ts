import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import { limitOf } from './influx-limit.js';
import type { WindowResult } from './measure.js';

/** A step with only the figures the verdict reads. */
function step(
  targetPerS: number,
  sustainable: boolean,
  cpuPct: Record<string, number>,
  busiestThreadPct: Record<string, number>,
  machineBusyPct: number,
): WindowResult {
  return {
    targetPerS,
    offeredPerS: targetPerS,
    sustainable,
    cpuPct,
    busiestThreadPct,
    machineBusyPct,
  } as WindowResult;
}

const cores = cpus().length;

describe(limitOf.name, () => {
  it('reads the first step that failed, and names a process with a saturated thread', () => {
    const limit = limitOf({
      highestSustainablePerS: 5000,
      steps: [
        step(5000, true, { convoi: 40, shim: 5, influxd: 40 }, { convoi: 30, shim: 5, influxd: 10 }, 90),
        step(7500, false, { convoi: 50, shim: 95, influxd: 60 }, { convoi: 35, shim: 93, influxd: 12 }, 150),
        step(6500, false, { convoi: 45, shim: 80, influxd: 55 }, { convoi: 32, shim: 80, influxd: 11 }, 140),
      ],
    });
    assert.equal(limit.atPerS, 7500);
    assert.equal(limit.limiter, 'shim');
    assert.match(limit.verdict, /^shim: a thread of it is saturated at 7500\/s/);
    assert.deepEqual(limit.cpuUsPerReading, { convoi: 66.7, shim: 126.7, influxd: 80 });
  });

  it('names the machine, and its largest consumer, when the cores are full and no thread is', () => {
    const limit = limitOf({
      highestSustainablePerS: 0,
      steps: [
        step(
          5000,
          false,
          { convoi: 30, shim: 1, influxd: 60 },
          { convoi: 15, shim: 1, influxd: 20 },
          cores * 100,
        ),
      ],
    });
    assert.equal(limit.limiter, 'influxd');
    assert.match(limit.verdict, /cores are full at 5000\/s/);
  });

  it('says no process is saturated when neither a thread nor the machine is', () => {
    const limit = limitOf({
      highestSustainablePerS: 10_000,
      steps: [
        step(10_000, true, { convoi: 30, shim: 1, influxd: 20 }, { convoi: 15, shim: 1, influxd: 8 }, 50),
      ],
    });
    assert.equal(limit.atPerS, 10_000);
    assert.equal(limit.sustainable, true);
    assert.equal(limit.limiter, 'convoi');
    assert.match(limit.verdict, /^no thread nor the machine is saturated/);
  });
});
