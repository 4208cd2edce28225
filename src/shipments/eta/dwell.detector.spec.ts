import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { circleSite, LYON_DEPOT, PARIS_HYPERMARKET } from '#src/shipments/geo/geo.fixtures.js';
import { GeofenceTracker } from '#src/shipments/geo/geofence.tracker.js';
import { distanceM } from '#src/shipments/geo/great-circle.util.js';
import { type DwellEvent, DwellDetector } from './dwell.detector.js';
import { MotionTracker } from './motion.tracker.js';
import { A6_ROUTE, BEAUNE_REST_AREA, routeLengthM, simulateTrip } from './route.fixtures.js';

const T0 = Date.UTC(2026, 10, 23, 5, 0, 0);
const MIN = 60_000;
const sites = [
  circleSite('sqf-depot', LYON_DEPOT, 300),
  circleSite('thiais', PARIS_HYPERMARKET, 300, 'hypermarket'),
];

/** Runs the three pure machines over a trip, as the journey service will. */
function journey(legs: Parameters<typeof simulateTrip>[1], maxOffSiteStopMs = 30 * MIN): DwellEvent[] {
  const { fixes } = simulateTrip(A6_ROUTE, legs, T0, 60_000);
  const geofences = new GeofenceTracker();
  const motionTracker = new MotionTracker();
  const dwell = new DwellDetector();
  let geo = GeofenceTracker.initialState();
  let motion = MotionTracker.initialState();
  let state = DwellDetector.initialState();
  const events: DwellEvent[] = [];
  for (const fix of fixes) {
    geo = geofences.update(geo, sites, fix, fix.at).state;
    const m = motionTracker.update(motion, fix);
    motion = m.state;
    const out = dwell.update(state, {
      motion,
      motionEvents: m.events,
      insideSiteIds: GeofenceTracker.insideSiteIds(geo),
      measuredAt: fix.at,
      maxOffSiteStopMs,
    });
    state = out.state;
    events.push(...out.events);
  }
  return events;
}

const beauneKm = routeLengthM(A6_ROUTE.slice(0, 3)) / 1000;

describe(DwellDetector.name, () => {
  it('records the loading stop at the depot as site dwell, not as an alert', () => {
    const events = journey([
      { speedKmh: 85, untilKm: 0, stopMs: 40 * MIN },
      { speedKmh: 85, untilKm: 30 },
    ]);
    assert.equal(events.length, 1);
    const [loading] = events;
    assert.equal(loading.type, 'site-dwell');
    if (loading.type === 'site-dwell') {
      assert.equal(loading.siteId, 'sqf-depot');
      assert.ok(Math.abs(loading.durationMs - 40 * MIN) <= MIN, `${loading.durationMs / MIN} min`);
    }
  });

  it('raises one dwell event for a 45 min stop off site with a 30 min limit, then ends it with its duration', () => {
    const events = journey([
      { speedKmh: 85, untilKm: beauneKm, stopMs: 45 * MIN },
      { speedKmh: 85, untilKm: beauneKm + 30 },
    ]);
    assert.deepEqual(
      events.map((e) => e.type),
      ['dwell-exceeded', 'dwell-ended'],
    );
    const [exceeded, ended] = events;
    assert.ok(exceeded.type === 'dwell-exceeded' && ended.type === 'dwell-ended');
    assert.ok(distanceM(exceeded, BEAUNE_REST_AREA) < 30);
    assert.ok(
      exceeded.durationMs >= 30 * MIN && exceeded.durationMs < 31 * MIN,
      `${exceeded.durationMs / MIN}`,
    );
    assert.equal(exceeded.at - exceeded.since, exceeded.durationMs);
    assert.equal(ended.exceeded, true);
    assert.ok(Math.abs(ended.durationMs - 45 * MIN) <= MIN, `${ended.durationMs / MIN} min`);
  });

  it('notes a short stop off site without an alert', () => {
    const events = journey([
      { speedKmh: 85, untilKm: beauneKm, stopMs: 10 * MIN },
      { speedKmh: 85, untilKm: beauneKm + 30 },
    ]);
    assert.deepEqual(
      events.map((e) => [e.type, e.type === 'dwell-ended' && e.exceeded]),
      [['dwell-ended', false]],
    );
  });

  it('records a stop at the hypermarket as site dwell when the truck leaves again', () => {
    const events = journey([{ speedKmh: 85, stopMs: 25 * MIN }]);
    // The trip ends parked at the store: the stop is still open, so nothing is recorded yet.
    assert.deepEqual(events, []);
    const detector = new DwellDetector();
    const out = detector.update(
      {
        stop: {
          since: T0,
          lat: PARIS_HYPERMARKET.lat,
          lon: PARIS_HYPERMARKET.lon,
          siteIds: ['thiais'],
          exceeded: false,
        },
      },
      {
        motion: { ...MotionTracker.initialState(), status: 'moving' },
        motionEvents: [
          { type: 'stop-ended', ...PARIS_HYPERMARKET, since: T0, until: T0 + 25 * MIN, durationMs: 25 * MIN },
        ],
        insideSiteIds: [],
        measuredAt: T0 + 26 * MIN,
        maxOffSiteStopMs: 30 * MIN,
      },
    );
    assert.deepEqual(out.events, [
      { type: 'site-dwell', siteId: 'thiais', since: T0, until: T0 + 25 * MIN, durationMs: 25 * MIN },
    ]);
    assert.deepEqual(out.state, {});
  });
});
