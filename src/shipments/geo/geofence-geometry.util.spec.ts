import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Site } from './geofence.types.js';
import { circleSite, LYON_DEPOT, PARIS_HYPERMARKET, rectangleRing } from './geo.fixtures.js';
import { isInsideGeofence, signedBoundaryDistanceM } from './geofence-geometry.util.js';
import { destinationPoint, distanceM } from './great-circle.util.js';

/** The depot yard: 400 m east-west by 250 m north-south, with a 100 m × 60 m building as a hole. */
const depotYard: Site = {
  id: 'sqf-depot',
  kind: 'warehouse',
  ...LYON_DEPOT,
  geofence: {
    type: 'polygon',
    coordinates: [rectangleRing(LYON_DEPOT, 400, 250), rectangleRing(LYON_DEPOT, 100, 60)],
  },
};

const near = (actual: number, expected: number, tolerance: number): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected} ± ${tolerance}`);

describe('geofence geometry', () => {
  describe('circle', () => {
    const site = circleSite('thiais', PARIS_HYPERMARKET, 300, 'hypermarket');

    it('is inside within the radius, outside beyond, with the signed distance to the edge', () => {
      const inner = destinationPoint(PARIS_HYPERMARKET, 30, 200);
      const outer = destinationPoint(PARIS_HYPERMARKET, 210, 400);
      assert.equal(isInsideGeofence(site, inner), true);
      assert.equal(isInsideGeofence(site, outer), false);
      near(signedBoundaryDistanceM(site, inner), -100, 0.001);
      near(signedBoundaryDistanceM(site, outer), 100, 0.001);
    });

    it('is right for a 150 km circle where flat-earth degrees would exclude a point 120 km east', () => {
      const region = circleSite('rhone-alpes', LYON_DEPOT, 150_000);
      const east = destinationPoint(LYON_DEPOT, 90, 120_000);
      const flatM = Math.hypot(east.lat - LYON_DEPOT.lat, east.lon - LYON_DEPOT.lon) * 111_195;
      assert.ok(flatM > 150_000, `flat-earth says ${flatM} m`);
      assert.equal(isInsideGeofence(region, east), true);
      near(signedBoundaryDistanceM(region, east), -30_000, 0.01);
    });
  });

  describe('polygon', () => {
    it('contains the yard, not the building hole, not the road outside', () => {
      assert.equal(isInsideGeofence(depotYard, destinationPoint(LYON_DEPOT, 90, 150)), true);
      assert.equal(isInsideGeofence(depotYard, destinationPoint(LYON_DEPOT, 0, 100)), true);
      assert.equal(isInsideGeofence(depotYard, LYON_DEPOT), false, 'inside the building (hole)');
      assert.equal(isInsideGeofence(depotYard, destinationPoint(LYON_DEPOT, 0, 160)), false);
      assert.equal(isInsideGeofence(depotYard, destinationPoint(LYON_DEPOT, 270, 230)), false);
    });

    it('measures the distance to the nearest edge, outer ring or hole, in metres', () => {
      near(signedBoundaryDistanceM(depotYard, destinationPoint(LYON_DEPOT, 0, 175)), 50, 0.05);
      near(signedBoundaryDistanceM(depotYard, destinationPoint(LYON_DEPOT, 0, 100)), -25, 0.05);
      near(signedBoundaryDistanceM(depotYard, destinationPoint(LYON_DEPOT, 90, 60)), -10, 0.05);
      near(signedBoundaryDistanceM(depotYard, LYON_DEPOT), 30, 0.05);
    });

    it('gives the same answer with or without the closing position', () => {
      const ring = rectangleRing(LYON_DEPOT, 400, 250).slice(0, 4);
      const open: Site = { ...depotYard, geofence: { type: 'polygon', coordinates: [ring] } };
      const p = destinationPoint(LYON_DEPOT, 45, 120);
      assert.equal(isInsideGeofence(open, p), true);
      near(signedBoundaryDistanceM(open, destinationPoint(LYON_DEPOT, 0, 175)), 50, 0.05);
    });

    it('measures a hypermarket polygon from the Lyon depot 404 km away, as the sphere says', () => {
      const store: Site = {
        id: 'thiais',
        kind: 'hypermarket',
        ...PARIS_HYPERMARKET,
        geofence: { type: 'polygon', coordinates: [rectangleRing(PARIS_HYPERMARKET, 600, 400)] },
      };
      const d = signedBoundaryDistanceM(store, LYON_DEPOT);
      const toCentre = distanceM(LYON_DEPOT, PARIS_HYPERMARKET);
      assert.ok(d > toCentre - 400 && d < toCentre - 200, `${d}`);
    });

    it('handles a ring across the antimeridian', () => {
      const fiji: Site = {
        id: 'suva-port',
        kind: 'hub',
        lat: -17,
        lon: 180,
        geofence: {
          type: 'polygon',
          coordinates: [
            [
              [179.9, -17.1],
              [-179.9, -17.1],
              [-179.9, -16.9],
              [179.9, -16.9],
            ],
          ],
        },
      };
      assert.equal(isInsideGeofence(fiji, { lat: -17, lon: 179.95 }), true);
      assert.equal(isInsideGeofence(fiji, { lat: -17, lon: -179.95 }), true);
      assert.equal(isInsideGeofence(fiji, { lat: -17, lon: 179.8 }), false);
    });

    it('does not contain the mirror image of a ring on the far side of the globe', () => {
      // The yard unwrapped around a point 180° of longitude away ran the long way round.
      const inYard = destinationPoint(LYON_DEPOT, 90, 150); // east of the building, in the yard
      assert.equal(isInsideGeofence(depotYard, inYard), true);
      assert.equal(isInsideGeofence(depotYard, { lat: inYard.lat, lon: inYard.lon - 180 }), false);
      assert.ok(signedBoundaryDistanceM(depotYard, { lat: inYard.lat, lon: inYard.lon + 180 }) > 1e6);
    });

    it('is never inside a degenerate or malformed polygon', () => {
      const bad: Site = {
        ...depotYard,
        geofence: {
          type: 'polygon',
          coordinates: [
            [
              [5.1, 45.6],
              [Number.NaN, 1],
            ],
          ],
        },
      };
      assert.equal(isInsideGeofence(bad, LYON_DEPOT), false);
      assert.equal(signedBoundaryDistanceM(bad, LYON_DEPOT), Infinity);
      const empty: Site = { ...depotYard, geofence: { type: 'polygon', coordinates: [] } };
      assert.equal(isInsideGeofence(empty, LYON_DEPOT), false);
    });
  });
});
