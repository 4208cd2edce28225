import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVERY_TICK, NEVER, OfflineTickSchedule } from './offline-tick.schedule.js';

const TICK = 10_000;
const T0 = 1_800_000_000_000;

/** A schedule past its first (whole-fleet) tick, with the containers scheduled at these due times. */
function scheduled(dues: Record<string, number>, touchedLimit = 100): OfflineTickSchedule {
  const schedule = new OfflineTickSchedule(TICK, touchedLimit);
  assert.equal(schedule.takeWalk(), 'all', 'the first tick walks the whole fleet');
  for (const [id, due] of Object.entries(dues)) schedule.schedule(id, due, T0);
  return schedule;
}

const sorted = (ids: Set<string>) => [...ids].sort();

describe(OfflineTickSchedule.name, () => {
  it('hands a container out at the first tick at or after its due time, not before', () => {
    const schedule = scheduled({ a: T0 + 15 * 60_000 + 5000, b: T0 + 30 * 60_000 });
    assert.equal(schedule.takeWalk(), 'due');
    assert.deepEqual(sorted(schedule.takeDue(T0 + TICK)), []);
    assert.deepEqual(sorted(schedule.takeDue(T0 + 15 * 60_000 - 1)), [], 'the tick before its due time');
    assert.deepEqual(
      sorted(schedule.takeDue(T0 + 15 * 60_000)),
      ['a'],
      'its bucket has come: early, never late',
    );
    assert.deepEqual(sorted(schedule.takeDue(T0 + 15 * 60_000 + TICK)), [], 'handed out once');
    assert.deepEqual(sorted(schedule.takeDue(T0 + 40 * 60_000)), ['b']);
  });

  it('hands out a container with an alert out at every tick, until it is quiet again', () => {
    const schedule = scheduled({ a: EVERY_TICK, b: NEVER });
    assert.deepEqual(sorted(schedule.takeDue(T0 + TICK)), ['a']);
    assert.deepEqual(sorted(schedule.takeDue(T0 + 2 * TICK)), ['a']);
    schedule.schedule('a', T0 + 60 * 60_000, T0 + 2 * TICK);
    assert.deepEqual(sorted(schedule.takeDue(T0 + 3 * TICK)), []);
    assert.equal(schedule.size(), 1, 'a container without offline rules is not held');
  });

  it('hands out a touched container at the next tick, and keeps its due time unless it came earlier', () => {
    const schedule = scheduled({ a: T0 + 15 * 60_000 });
    schedule.touch('a');
    assert.deepEqual(sorted(schedule.takeDue(T0 + TICK)), ['a']);
    schedule.schedule('a', T0 + 20 * 60_000, T0 + TICK); // a reading moved it later: kept where it was
    assert.deepEqual(sorted(schedule.takeDue(T0 + 15 * 60_000)), ['a']);
    schedule.schedule('a', T0 + 35 * 60_000, T0 + 15 * 60_000);
    schedule.touch('a');
    assert.deepEqual(sorted(schedule.takeDue(T0 + 16 * 60_000)), ['a']);
    schedule.schedule('a', T0 + 20 * 60_000, T0 + 16 * 60_000); // stricter rules: earlier
    assert.deepEqual(sorted(schedule.takeDue(T0 + 20 * 60_000)), ['a']);
    assert.deepEqual(sorted(schedule.takeDue(T0 + 35 * 60_000)), [], 'the later entry it left is stale');
  });

  it('walks the whole fleet again when asked, scheduling it afresh', () => {
    const schedule = scheduled({ a: T0 + 15 * 60_000 });
    schedule.walkAllNext();
    assert.equal(schedule.takeWalk(), 'all');
    assert.equal(schedule.size(), 0, 'the walk schedules every container afresh');
    assert.equal(schedule.takeWalk(), 'due');
  });

  it('walks the whole fleet, scheduled afresh, after more touches than its limit, and holds none of them', () => {
    const schedule = scheduled({ a: T0 + 15 * 60_000 }, 2);
    for (const id of ['a', 'b', 'c']) schedule.touch(id);
    assert.equal(schedule.takeWalk(), 'all');
    assert.equal(schedule.size(), 0, 'the walk schedules every container afresh');
    assert.deepEqual(
      sorted(schedule.takeDue(T0 + TICK)),
      [],
      'the touches were dropped with the old schedule',
    );
    schedule.touch('a');
    assert.equal(schedule.takeWalk(), 'due', 'within the limit: only the touched');
    assert.deepEqual(sorted(schedule.takeDue(T0 + TICK)), ['a']);
  });

  it('keeps a container in its bucket when a reading moves its due time later, and moves it when earlier', () => {
    const schedule = scheduled({ a: T0 + 15 * 60_000 });
    schedule.schedule('a', T0 + 16 * 60_000, T0 + TICK); // a reading: later, kept
    schedule.schedule('a', T0 + 5 * 60_000, T0 + TICK); // a stricter rule set: earlier, moved
    assert.deepEqual(sorted(schedule.takeDue(T0 + 5 * 60_000)), ['a']);
    schedule.schedule('a', EVERY_TICK, T0 + 5 * 60_000); // a reading raised a per-key alert
    assert.deepEqual(sorted(schedule.takeDue(T0 + 5 * 60_000 + TICK)), ['a']);
    schedule.schedule('a', T0 + 30 * 60_000, T0 + 6 * 60_000); // a reading cleared it
    assert.deepEqual(sorted(schedule.takeDue(T0 + 29 * 60_000)), []);
    assert.deepEqual(sorted(schedule.takeDue(T0 + 30 * 60_000)), ['a']);
    assert.deepEqual(sorted(schedule.takeDue(T0 + 60 * 60_000)), [], 'the 15-minute entry is stale');
  });

  it('drops a forgotten container', () => {
    const schedule = scheduled({ a: EVERY_TICK, b: T0 + TICK });
    schedule.forget('a');
    schedule.forget('b');
    assert.deepEqual(sorted(schedule.takeDue(T0 + 10 * TICK)), []);
  });
});
