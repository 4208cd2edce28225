import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LYON_DEPOT, LYON_PARIS_ELLIPSOIDAL_M, PARIS_HYPERMARKET } from './geo.fixtures.js';
import {
  EARTH_RADIUS_M,
  destinationPoint,
  distanceM,
  distanceToArcM,
  initialBearingDeg,
  normalizeLonDeg,
} from './great-circle.util.js';

/** The flat-earth shortcut this module exists to avoid: Pythagoras on raw degrees. */
function flatDegreesDistanceM(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  return Math.hypot(b.lat - a.lat, b.lon - a.lon) * ((Math.PI / 180) * EARTH_RADIUS_M);
}

describe('great-circle', () => {
  it('measures Lyon depot → Paris hypermarket within 0.1 % of the WGS84 ellipsoid', () => {
    const d = distanceM(LYON_DEPOT, PARIS_HYPERMARKET);
    assert.ok(Math.abs(d - LYON_PARIS_ELLIPSOIDAL_M) / LYON_PARIS_ELLIPSOIDAL_M < 0.001, `${d}`);
    assert.ok(Math.abs(d - 403_992) < 1, `${d}`);
  });

  it('is right over 400 km where flat-earth degrees are 14 % off', () => {
    const flat = flatDegreesDistanceM(LYON_DEPOT, PARIS_HYPERMARKET);
    assert.ok((flat - LYON_PARIS_ELLIPSOIDAL_M) / LYON_PARIS_ELLIPSOIDAL_M > 0.1, `${flat}`);
  });

  it('is symmetric and zero for the same point', () => {
    assert.equal(distanceM(LYON_DEPOT, LYON_DEPOT), 0);
    assert.equal(distanceM(LYON_DEPOT, PARIS_HYPERMARKET), distanceM(PARIS_HYPERMARKET, LYON_DEPOT));
  });

  it('keeps metre precision on short distances (one hundredth of a second of latitude)', () => {
    const d = distanceM({ lat: 45, lon: 5 }, { lat: 45 + 0.01 / 3600, lon: 5 });
    assert.ok(Math.abs(d - 0.3088) < 0.001, `${d}`);
  });

  it('gives initial bearings: cardinal points and Lyon → Paris towards the north-west', () => {
    assert.equal(initialBearingDeg({ lat: 0, lon: 0 }, { lat: 1, lon: 0 }), 0);
    assert.ok(Math.abs(initialBearingDeg({ lat: 0, lon: 0 }, { lat: 0, lon: 1 }) - 90) < 1e-9);
    assert.ok(Math.abs(initialBearingDeg({ lat: 1, lon: 0 }, { lat: 0, lon: 0 }) - 180) < 1e-9);
    const b = initialBearingDeg(LYON_DEPOT, PARIS_HYPERMARKET);
    assert.ok(b > 325 && b < 335, `${b}`);
  });

  it('walks a distance on a bearing and lands at that distance', () => {
    for (const bearing of [0, 45, 90, 200, 359]) {
      const p = destinationPoint(LYON_DEPOT, bearing, 123_456);
      assert.ok(Math.abs(distanceM(LYON_DEPOT, p) - 123_456) < 0.001);
      const turn = Math.abs(initialBearingDeg(LYON_DEPOT, p) - bearing) % 360;
      assert.ok(Math.min(turn, 360 - turn) < 1e-6);
    }
  });

  it('crosses the antimeridian', () => {
    const p = destinationPoint({ lat: 0, lon: 179.99 }, 90, 5_000);
    assert.ok(p.lon < -179.9, `${p.lon}`);
    assert.ok(Math.abs(distanceM({ lat: 0, lon: 179.99 }, p) - 5_000) < 0.001);
    assert.equal(normalizeLonDeg(190), -170);
  });

  it('measures the distance to an arc: beside it, beyond either end', () => {
    const a = LYON_DEPOT;
    const b = destinationPoint(a, 90, 1_000);
    const mid = destinationPoint(a, 90, 500);
    assert.ok(Math.abs(distanceToArcM(destinationPoint(mid, 0, 40), a, b) - 40) < 0.01);
    assert.ok(Math.abs(distanceToArcM(destinationPoint(a, 270, 70), a, b) - 70) < 0.01);
    assert.ok(Math.abs(distanceToArcM(destinationPoint(b, 90, 25), a, b) - 25) < 0.01);
    assert.ok(Math.abs(distanceToArcM(mid, a, a) - 500) < 0.01);
  });
});
