import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GeoPoint, Site } from './geofence.types.js';
import {
  circleSite,
  jitter,
  LYON_DEPOT,
  PARIS_HYPERMARKET,
  rectangleRing,
  seededRandom,
} from './geo.fixtures.js';
import { isInsideGeofence } from './geofence-geometry.util.js';
import { GeofenceTracker, type GeofenceEvent, type GeofenceTrackerState } from './geofence.tracker.js';
import { destinationPoint } from './great-circle.util.js';

const T0 = Date.UTC(2026, 10, 22, 6, 0, 0);
const depot = circleSite('sqf-depot', LYON_DEPOT, 260);
const store: Site = {
  id: 'thiais',
  kind: 'hypermarket',
  ...PARIS_HYPERMARKET,
  geofence: { type: 'polygon', coordinates: [rectangleRing(PARIS_HYPERMARKET, 600, 400)] },
};

/** Feeds fixes (one every `stepMs`) and collects every event. */
function run(
  tracker: GeofenceTracker,
  sites: Site[],
  fixes: GeoPoint[],
  stepMs = 10_000,
  start: GeofenceTrackerState = GeofenceTracker.initialState(),
): { state: GeofenceTrackerState; events: GeofenceEvent[] } {
  let state = start;
  const events: GeofenceEvent[] = [];
  fixes.forEach((fix, i) => {
    const out = tracker.update(state, sites, fix, T0 + i * stepMs);
    state = out.state;
    events.push(...out.events);
  });
  return { state, events };
}

describe(GeofenceTracker.name, () => {
  it('enters once when driving into the depot and leaves once when driving out', () => {
    const tracker = new GeofenceTracker();
    const inbound = Array.from({ length: 20 }, (_, i) => destinationPoint(LYON_DEPOT, 90, 1_000 - i * 50));
    const outbound = Array.from({ length: 20 }, (_, i) => destinationPoint(LYON_DEPOT, 0, i * 50));
    const { state, events } = run(tracker, [depot], [...inbound, ...outbound]);
    assert.deepEqual(
      events.map((e) => [e.type, e.siteId]),
      [
        ['enter', 'sqf-depot'],
        ['leave', 'sqf-depot'],
      ],
    );
    // First inside fix: i = 15 at 250 m (10 m in), confirmed by i = 16 at 200 m (60 m in ≥ 30 m).
    assert.equal(events[0].at, T0 + 15 * 10_000);
    assert.equal(events[0].confirmedAt, T0 + 16 * 10_000);
    assert.ok(events[0].distanceM <= 0);
    // Leaving: 300 m north (i = 6 of outbound) is the first fix outside, and 40 m out.
    assert.equal(events[1].at, T0 + (20 + 6) * 10_000);
    assert.deepEqual(GeofenceTracker.insideSiteIds(state), []);
  });

  it('dates the entry at the first inside fix when it is confirmed by time', () => {
    const tracker = new GeofenceTracker();
    const shallow = destinationPoint(LYON_DEPOT, 0, 250); // 10 m inside: below the 30 m margin
    const { events } = run(
      tracker,
      [depot],
      [destinationPoint(LYON_DEPOT, 0, 400), shallow, shallow, shallow, shallow, shallow, shallow, shallow],
    );
    assert.equal(events.length, 1);
    assert.equal(events[0].at, T0 + 10_000);
    assert.equal(events[0].confirmedAt, T0 + 70_000);
  });

  it('counts a fix a metre inside the boundary as inside, from its first fix', () => {
    const edge = destinationPoint(LYON_DEPOT, 90, 259);
    const { events } = run(new GeofenceTracker(), [depot], [edge, edge, edge, edge, edge, edge, edge]);
    assert.deepEqual(
      events.map((e) => [e.type, e.at - T0, e.confirmedAt - T0]),
      [['enter', 0, 60_000]],
    );
  });

  it('gives no enter/leave storm for ±20 m jitter on a boundary, where raw crossings number hundreds', () => {
    const tracker = new GeofenceTracker();
    const random = seededRandom(7);
    const onBoundary = destinationPoint(LYON_DEPOT, 45, 260);
    const fixes = Array.from({ length: 720 }, () => jitter(onBoundary, 20, random)); // 2 h at 10 s
    let rawCrossings = 0;
    fixes.forEach((p, i) => {
      if (i > 0 && isInsideGeofence(depot, p) !== isInsideGeofence(depot, fixes[i - 1])) rawCrossings++;
    });
    assert.ok(rawCrossings > 100, `only ${rawCrossings} raw crossings: the jitter does not test anything`);
    const fromOutside = run(tracker, [depot], fixes);
    assert.ok(fromOutside.events.length <= 1, JSON.stringify(fromOutside.events));
    assert.ok(fromOutside.events.every((e) => e.type === 'enter'));
    const inside = { lastMeasuredAt: T0 - 1, sites: { 'sqf-depot': { inside: true } } };
    assert.deepEqual(run(tracker, [depot], fixes, 10_000, inside).events, []);
  });

  it('enters a small site by time when jitter is as wide as the site', () => {
    const kiosk = circleSite('kiosk', PARIS_HYPERMARKET, 25, 'supermarket');
    const random = seededRandom(11);
    const fixes = Array.from({ length: 30 }, () => jitter(PARIS_HYPERMARKET, 10, random));
    const { events } = run(new GeofenceTracker(), [kiosk], fixes);
    assert.deepEqual(
      events.map((e) => e.type),
      ['enter'],
    );
  });

  it('tracks several sites at once, polygon and circle', () => {
    const tracker = new GeofenceTracker();
    let out = tracker.update(GeofenceTracker.initialState(), [depot, store], LYON_DEPOT, T0);
    assert.deepEqual(GeofenceTracker.insideSiteIds(out.state), ['sqf-depot']);
    out = tracker.update(out.state, [depot, store], PARIS_HYPERMARKET, T0 + 5 * 3_600_000);
    assert.deepEqual(
      out.events.map((e) => [e.type, e.siteId, e.siteKind]),
      [
        ['leave', 'sqf-depot', 'warehouse'],
        ['enter', 'thiais', 'hypermarket'],
      ],
    );
    assert.deepEqual(GeofenceTracker.insideSiteIds(out.state), ['thiais']);
  });

  it('ignores a fix that is not newer than the last one, and an unusable position', () => {
    const tracker = new GeofenceTracker();
    const first = tracker.update(GeofenceTracker.initialState(), [depot], LYON_DEPOT, T0);
    const late = tracker.update(first.state, [depot], PARIS_HYPERMARKET, T0 - 60_000);
    assert.equal(late.state, first.state);
    assert.deepEqual(late.events, []);
    const nan = tracker.update(first.state, [depot], { lat: Number.NaN, lon: 5 }, T0 + 60_000);
    assert.equal(nan.state, first.state);
  });

  it('does not mutate the state it is given', () => {
    const tracker = new GeofenceTracker();
    const start = GeofenceTracker.initialState();
    tracker.update(start, [depot], LYON_DEPOT, T0);
    assert.deepEqual(start, { sites: {} });
  });
});
