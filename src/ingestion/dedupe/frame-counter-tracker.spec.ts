import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clearLink, Link } from '#src/state/state.layout.js';
import { FrameCounterTracker, type FrameCounterOptions, type FrameVerdict } from './frame-counter-tracker.js';

const t0 = Date.UTC(2026, 10, 22, 8, 0, 0);

/** Devices' radio links as container states hold them (state.layout.ts), followed by one tracker. */
class DeviceLinks {
  private readonly links = new Map<string, Float64Array>();
  private readonly tracker: FrameCounterTracker;

  constructor(options?: FrameCounterOptions) {
    this.tracker = new FrameCounterTracker(options);
  }

  observe(device: string, fCnt: number, atMs: number): FrameVerdict {
    let link = this.links.get(device);
    if (link === undefined) {
      link = new Float64Array(Link.Size);
      clearLink(link, 0);
      this.links.set(device, link);
    }
    return this.tracker.observeLink(link, 0, fCnt, atMs);
  }

  stats(device: string) {
    const link = this.links.get(device);
    return link === undefined ? undefined : this.tracker.statsOf(link, 0);
  }

  forget(device: string): void {
    this.links.delete(device);
  }
}

function feed(tracker: DeviceLinks, counters: number[], device = 'dev-1'): FrameVerdict[] {
  return counters.map((fCnt, i) => tracker.observe(device, fCnt, t0 + i * 60_000));
}

describe(FrameCounterTracker.name, () => {
  it('counts nothing lost on a steady stream', () => {
    const tracker = new DeviceLinks();
    const verdicts = feed(tracker, [10, 11, 12, 13]);
    assert.deepEqual(
      verdicts.map((v) => v.kind),
      ['first', 'next', 'next', 'next'],
    );
    assert.deepEqual(tracker.stats('dev-1'), {
      lastFCnt: 13,
      lostFrames: 0,
      resets: 0,
      lastResetAt: undefined,
    });
  });

  it('shows 5 lost frames for an fCnt gap of 5', () => {
    const tracker = new DeviceLinks();
    const verdicts = feed(tracker, [20, 21, 27]);
    assert.deepEqual(verdicts[2], { kind: 'gap', lost: 5 });
    assert.equal(tracker.stats('dev-1')?.lostFrames, 5);
    assert.equal(tracker.stats('dev-1')?.lastFCnt, 27);
  });

  it('reports a reset to 0 after a high counter, not a duplicate and not a loss', () => {
    const tracker = new DeviceLinks();
    const verdicts = feed(tracker, [4_000, 4_001, 0, 1]);
    assert.deepEqual(verdicts[2], { kind: 'reset', from: 4_001 });
    assert.equal(verdicts[3].kind, 'next');
    assert.deepEqual(tracker.stats('dev-1'), {
      lastFCnt: 1,
      lostFrames: 0,
      resets: 1,
      lastResetAt: t0 + 2 * 60_000,
    });
  });

  it('reports a reboot while the counter is still small as a reset', () => {
    const tracker = new DeviceLinks();
    const verdicts = feed(tracker, [0, 1, 2, 3, 0]);
    assert.deepEqual(verdicts[4], { kind: 'reset', from: 3 });
    assert.equal(tracker.stats('dev-1')?.resets, 1);
  });

  it('treats an older counter inside the window as a late frame, taking back its loss', () => {
    const tracker = new DeviceLinks();
    const verdicts = feed(tracker, [100, 103, 101, 102]);
    assert.deepEqual(verdicts[1], { kind: 'gap', lost: 2 });
    assert.deepEqual(verdicts[2], { kind: 'late', recovered: true });
    assert.deepEqual(verdicts[3], { kind: 'late', recovered: true });
    assert.equal(tracker.stats('dev-1')?.lostFrames, 0);
    assert.equal(tracker.stats('dev-1')?.lastFCnt, 103, 'a late frame never moves the counter back');
  });

  it('calls a counter seen again a duplicate, and does not count it twice', () => {
    const tracker = new DeviceLinks();
    const verdicts = feed(tracker, [100, 101, 102, 102, 101]);
    assert.deepEqual(
      verdicts.slice(3).map((v) => v.kind),
      ['duplicate', 'duplicate'],
    );
    assert.equal(tracker.stats('dev-1')?.lostFrames, 0);
  });

  it('counts a large gap whole but tracks only the window for late arrival', () => {
    const tracker = new DeviceLinks();
    feed(tracker, [1_000, 1_100, 1_060, 1_099]);
    const stats = tracker.stats('dev-1');
    assert.equal(stats?.lostFrames, 98, '99 lost, then 1_099 came late inside the window');
  });

  it('ignores a stale high counter far behind without calling it a reset', () => {
    const tracker = new DeviceLinks();
    const verdicts = feed(tracker, [500, 501, 400]);
    assert.deepEqual(verdicts[2], { kind: 'stale' });
    assert.deepEqual(tracker.stats('dev-1'), {
      lastFCnt: 501,
      lostFrames: 0,
      resets: 0,
      lastResetAt: undefined,
    });
  });

  it('resynchronises on a forward jump beyond maxGap instead of counting thousands lost', () => {
    const tracker = new DeviceLinks({ maxGap: 16_384 });
    const verdicts = feed(tracker, [5, 100_000]);
    assert.deepEqual(verdicts[1], { kind: 'jump', from: 5 });
    assert.equal(tracker.stats('dev-1')?.lostFrames, 0);
  });

  it('keeps devices apart and forgets one on request', () => {
    const tracker = new DeviceLinks();
    feed(tracker, [1, 5], 'a');
    feed(tracker, [1, 2], 'b');
    assert.equal(tracker.stats('a')?.lostFrames, 3);
    assert.equal(tracker.stats('b')?.lostFrames, 0);
    tracker.forget('a');
    assert.equal(tracker.stats('a'), undefined);
  });

  it('refuses a late window the masks cannot hold', () => {
    assert.throws(() => new FrameCounterTracker({ lateWindow: 33 }), RangeError);
  });
});
