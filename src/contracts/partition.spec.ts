import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partitionOf } from './partition.js';

describe('partitionOf', () => {
  it('is 32-bit FNV-1a mod the partition count: fixed values, the same in every process and version', () => {
    // FNV-1a's published test vectors: "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
    // Mod a power of two keeps the low bits: 0xc5 & 63 = 5, 0x2c & 63 = 44, 0x68 & 63 = 40.
    assert.equal(partitionOf('', 64), 5);
    assert.equal(partitionOf('a', 64), 44);
    assert.equal(partitionOf('foobar', 64), 40);
    // 0x968 = 2408 (the low 12 bits); 0xbf9cf968 = 3,214,735,720, whose last digit is 0.
    assert.equal(partitionOf('foobar', 4096), 2408);
    assert.equal(partitionOf('foobar', 10), 0);
    assert.equal(partitionOf('foobar', 1), 0);
  });

  it('is the same for the same id, whatever string object holds it', () => {
    const id = ['REEFER', '002'].join('-');
    assert.equal(partitionOf(id, 64), partitionOf('REEFER-002', 64));
  });

  it('spreads 10,000 container ids evenly over the partitions', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `REEFER-${String(i).padStart(5, '0')}`);
    for (const partitions of [7, 64]) {
      const counts = new Array<number>(partitions).fill(0);
      for (const id of ids) counts[partitionOf(id, partitions)]++;
      const expected = ids.length / partitions;
      const worst = Math.max(...counts.map((n) => Math.abs(n - expected) / expected));
      // At 64 partitions a uniform hash leaves each within ±25 % of 156 (5 standard deviations).
      assert.ok(
        worst < 0.25,
        `${partitions} partitions: a partition ${Math.round(worst * 100)} % off the mean`,
      );
      assert.ok(
        counts.every((n) => n > 0),
        `${partitions} partitions: every one holds containers`,
      );
    }
  });

  it('never leaves [0, partitions), ids of any UTF-16 text included', () => {
    for (const id of ['é', '\u{1F69A}', 'x'.repeat(200), 'REEFER-002']) {
      for (const partitions of [1, 3, 64, 4096]) {
        const p = partitionOf(id, partitions);
        assert.ok(Number.isInteger(p) && p >= 0 && p < partitions, `${id} in ${partitions}: ${p}`);
      }
    }
  });
});
