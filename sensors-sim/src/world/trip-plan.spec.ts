import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { haversineKm } from './geo.js';
import { routeById } from './routes.js';
import { siteById, SITES } from './sites.js';
import { BREAK_MS, TripPlan } from './trip-plan.js';

const DEPART = Date.parse('2026-03-02T05:00:00Z');
const HOUR = 3_600_000;

function plan(
  routeId: string,
  cruiseKmh: number,
  extra: Partial<ConstructorParameters<typeof TripPlan>[1]> = {},
): TripPlan {
  return new TripPlan(routeById(routeId), {
    departAtMs: DEPART,
    loadingMs: 40 * 60_000,
    unloadingMs: 30 * 60_000,
    cruiseKmh,
    ...extra,
  });
}

describe(TripPlan.name, () => {
  it('drives Lyon → Rungis in 5 to 7 hours, with the EU 45 min break', () => {
    for (const cruise of [80, 84, 88]) {
      const trip = plan('lyon-sqf--paris-rungis', cruise);
      const hours = (trip.arrivalMs - (DEPART + 40 * 60_000)) / HOUR;
      assert.ok(hours > 5 && hours < 7, `${cruise} km/h: ${hours.toFixed(2)} h`);
      const breaks = trip.phases.filter((p) => p.kind === 'break');
      assert.equal(breaks.length, 1);
      assert.equal(breaks[0].endMs - breaks[0].startMs, BREAK_MS);
    }
  });

  it('starts at the origin dock and ends at the destination dock', () => {
    const trip = plan('paris-rungis--lille-lesquin', 84);
    assert.equal(trip.positionAt(DEPART + 60_000).phase, 'loading');
    assert.ok(haversineKm(trip.positionAt(DEPART).point, siteById('paris-rungis').location) < 0.01);
    const end = trip.positionAt(trip.endMs - 60_000);
    assert.equal(end.phase, 'unloading');
    assert.ok(haversineKm(end.point, siteById('lille-lesquin').location) < 0.01);
  });

  it('drives at motorway speed in the middle and slowly near the sites', () => {
    const trip = plan('lyon-corbas--marseille-arnavaux', 84);
    const middle = trip.positionAt(trip.startMs + 2 * HOUR);
    assert.equal(middle.speedKmh, 84);
    const first = trip.phases.find((p) => p.kind === 'driving');
    assert.ok(first && first.speedKmh < 50);
  });

  it('stands still at a dwell, away from any site', () => {
    const trip = plan('lyon-paris-detour-dijon', 84, { dwells: [{ atKm: 203.6, durationMs: 3 * HOUR }] });
    const dwell = trip.phases.find((p) => p.kind === 'dwell');
    assert.ok(dwell);
    const a = trip.positionAt(dwell.startMs + 60_000).point;
    const b = trip.positionAt(dwell.endMs - 60_000).point;
    assert.ok(haversineKm(a, b) < 0.001);
    assert.ok(haversineKm(a, { lat: 47.32, lon: 5.04 }) < 0.5, 'stands in Dijon');
    assert.ok(SITES.every((s) => haversineKm(a, s.location) > 20));
  });

  it('is late when slowed down', () => {
    const normal = plan('lyon-sqf--paris-rungis', 84);
    const jammed = plan('lyon-sqf--paris-rungis', 84, { slowdowns: [{ fromKm: 300, toKm: 380, kmh: 20 }] });
    assert.ok(jammed.arrivalMs - normal.arrivalMs > 2.5 * HOUR);
  });
});
