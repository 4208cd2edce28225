import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jitter, LYON_DEPOT, seededRandom } from '#src/shipments/geo/geo.fixtures.js';
import { distanceM } from '#src/shipments/geo/great-circle.util.js';
import { type Fix, type MotionEvent, MotionTracker, type MotionState } from './motion.tracker.js';
import { A6_ROUTE, BEAUNE_REST_AREA, routeLengthM, simulateTrip } from './route.fixtures.js';

const T0 = Date.UTC(2026, 10, 23, 5, 0, 0);
const MIN = 60_000;

function feed(
  fixes: Fix[],
  tracker = new MotionTracker(),
): { state: MotionState; events: MotionEvent[]; states: MotionState[] } {
  let state = MotionTracker.initialState();
  const events: MotionEvent[] = [];
  const states: MotionState[] = [];
  for (const fix of fixes) {
    const out = tracker.update(state, fix);
    state = out.state;
    events.push(...out.events);
    states.push(state);
  }
  return { state, events, states };
}

describe(MotionTracker.name, () => {
  it('does not take ±20 m GPS jitter of a parked container for motion', () => {
    const random = seededRandom(3);
    const fixes = Array.from({ length: 720 }, (_, i) => ({
      ...jitter(LYON_DEPOT, 20, random),
      at: T0 + i * 10_000,
    }));
    const naiveKmh = fixes.slice(1).map((f, i) => (distanceM(fixes[i], f) / 10) * 3.6);
    assert.ok(
      naiveKmh.reduce((a, b) => a + b) / naiveKmh.length > 5,
      'the jitter must look like motion to a naive tracker',
    );
    const { state, events, states } = feed(fixes);
    assert.ok(states.every((s) => s.status !== 'moving'));
    assert.equal(state.status, 'stopped');
    assert.equal(state.speedKmh, 0);
    assert.deepEqual(
      events.map((e) => e.type),
      ['stop-started'],
    );
    assert.equal(events[0].since, T0);
    assert.equal(events[0].type === 'stop-started' && events[0].confirmedAt, T0 + 18 * 10_000);
  });

  it('measures a steady 80 km/h through jitter, and a moving speed unaffected by a stop', () => {
    const { fixes } = simulateTrip(
      A6_ROUTE,
      [
        { speedKmh: 80, untilKm: 60, stopMs: 20 * MIN },
        { speedKmh: 80, untilKm: 80 },
      ],
      T0,
      30_000,
    );
    const { states } = feed(fixes);
    const after10Min = states[20];
    assert.equal(after10Min.status, 'moving');
    assert.ok(Math.abs(after10Min.speedKmh - 80) < 4, `${after10Min.speedKmh}`);
    const stopped = states.find((s) => s.status === 'stopped');
    assert.ok(stopped && Math.abs((stopped.movingSpeedKmh ?? 0) - 80) < 4, `${stopped?.movingSpeedKmh}`);
    const last = states[states.length - 1];
    assert.equal(last.status, 'moving');
    assert.ok(Math.abs((last.movingSpeedKmh ?? 0) - 80) < 4, `${last.movingSpeedKmh}`);
  });

  it('reports a stop with its place, start and duration', () => {
    const beauneKm = routeLengthM(A6_ROUTE.slice(0, 3)) / 1000;
    const { fixes } = simulateTrip(
      A6_ROUTE,
      [
        { speedKmh: 85, untilKm: beauneKm, stopMs: 45 * MIN },
        { speedKmh: 85, untilKm: beauneKm + 20 },
      ],
      T0,
      60_000,
    );
    const { events } = feed(fixes);
    assert.deepEqual(
      events.map((e) => e.type),
      ['stop-started', 'stop-ended'],
    );
    const [started, ended] = events;
    const arrivedAt = fixes.find((f) => distanceM(f, BEAUNE_REST_AREA) < 100)?.at ?? NaN;
    assert.ok(
      Math.abs(started.since - arrivedAt) <= MIN,
      `stop dated ${(started.since - arrivedAt) / MIN} min off`,
    );
    assert.ok(distanceM(started, BEAUNE_REST_AREA) < 30, `${distanceM(started, BEAUNE_REST_AREA)} m`);
    assert.equal(ended.type, 'stop-ended');
    if (ended.type === 'stop-ended')
      assert.ok(Math.abs(ended.durationMs - 45 * MIN) <= MIN, `${ended.durationMs / MIN} min`);
  });

  it('ignores a single wild fix 50 km away, and believes a container that really was carried off', () => {
    const tracker = new MotionTracker();
    let s = tracker.update(MotionTracker.initialState(), { ...LYON_DEPOT, at: T0 }).state;
    s = tracker.update(s, { ...LYON_DEPOT, at: T0 + 4 * MIN }).state;
    assert.equal(s.status, 'stopped');
    const wild = { lat: LYON_DEPOT.lat + 0.45, lon: LYON_DEPOT.lon, at: T0 + 5 * MIN };
    const afterWild = tracker.update(s, wild).state;
    assert.equal(afterWild.status, 'stopped');
    assert.deepEqual(afterWild.lastFix, s.lastFix);
    let moved = afterWild;
    const events: MotionEvent[] = [];
    for (let i = 6; i <= 7; i++) {
      const out = tracker.update(moved, { ...wild, at: T0 + i * MIN });
      moved = out.state;
      events.push(...out.events);
    }
    assert.equal(moved.lastFix?.lat, wild.lat);
    assert.deepEqual(
      events.map((e) => e.type),
      ['stop-ended'],
    );
  });

  it('ignores older and unusable fixes', () => {
    const tracker = new MotionTracker();
    const s = tracker.update(MotionTracker.initialState(), { ...LYON_DEPOT, at: T0 }).state;
    assert.equal(tracker.update(s, { ...LYON_DEPOT, at: T0 - 1 }).state, s);
    assert.equal(tracker.update(s, { lat: Number.NaN, lon: 5, at: T0 + 1 }).state, s);
  });
});
