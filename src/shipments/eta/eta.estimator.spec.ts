import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LYON_DEPOT, PARIS_HYPERMARKET } from '#src/shipments/geo/geo.fixtures.js';
import { distanceM } from '#src/shipments/geo/great-circle.util.js';
import { ETA_DEFAULTS, estimateEta } from './eta.estimator.js';
import { MotionTracker } from './motion.tracker.js';
import { A6_ROUTE, routeLengthM, simulateTrip } from './route.fixtures.js';

const T0 = Date.UTC(2026, 10, 23, 5, 0, 0);
const MIN = 60_000;
const H = 60 * MIN;

describe(estimateEta.name, () => {
  const beauneKm = routeLengthM(A6_ROUTE.slice(0, 3)) / 1000;
  const trip = simulateTrip(
    A6_ROUTE,
    [
      { speedKmh: 85, untilKm: beauneKm, stopMs: 45 * MIN },
      { speedKmh: 85, stopMs: 10 * MIN },
    ],
    T0,
    60_000,
  );

  /** ETA at every fix of the simulated trip, with its error against the simulated arrival. */
  function etaAlongTrip(routeFactor?: number) {
    const tracker = new MotionTracker();
    let motion = MotionTracker.initialState();
    const samples: { t: number; errorMin: number; confidence: string }[] = [];
    for (const fix of trip.fixes) {
      motion = tracker.update(motion, fix).state;
      if (fix.at >= trip.arrivalMs) break;
      const eta = estimateEta({
        position: fix,
        origin: LYON_DEPOT,
        destination: PARIS_HYPERMARKET,
        plannedArrival: T0 + 6 * H,
        recentMovingSpeedKmh: motion.movingSpeedKmh,
        motionStatus: motion.status,
        lastPositionAt: fix.at,
        nowMs: fix.at,
        routeFactor,
      });
      assert.equal(eta.delayMs, (eta.etaMs ?? NaN) - (T0 + 6 * H));
      samples.push({
        t: fix.at,
        errorMin: ((eta.etaMs ?? NaN) - trip.arrivalMs) / MIN,
        confidence: eta.confidence,
      });
    }
    return samples;
  }

  const shown = (xs: { errorMin: number }[]) => xs.map((s) => s.errorMin.toFixed(0)).join(' ');

  /** Samples from the end of the last stop on: the ETA must only get better from there. */
  function afterLastStop(samples: { t: number; errorMin: number; confidence: string }[]) {
    const lastStopped = samples.map((s) => s.confidence).lastIndexOf('stopped');
    assert.ok(lastStopped > 0, 'the Beaune stop is seen as a stop');
    return samples.slice(lastStopped + 1);
  }

  const shrinking = (xs: { errorMin: number }[]) =>
    xs.every((s, i) => i === 0 || Math.abs(s.errorMin) <= Math.abs(xs[i - 1].errorMin) + 0.5);

  it('converges on the arrival of a simulated Lyon → Paris trip with the route factor of its lane', () => {
    const laneFactor = routeLengthM(A6_ROUTE) / distanceM(LYON_DEPOT, PARIS_HYPERMARKET);
    const samples = etaAlongTrip(laneFactor);
    const beforeStop = samples.slice(
      0,
      samples.findIndex((s) => s.confidence === 'stopped'),
    );
    assert.ok(
      beforeStop.every((s) => Math.abs(s.errorMin) < 20),
      shown(beforeStop),
    );
    const after = afterLastStop(samples);
    assert.ok(shrinking(after), shown(after));
    const lastQuarterHour = samples.filter((s) => s.t > trip.arrivalMs - 15 * MIN);
    assert.ok(
      lastQuarterHour.every((s) => Math.abs(s.errorMin) < 3),
      shown(lastQuarterHour),
    );
  });

  it('converges with the default route factor too, from further off', () => {
    const samples = etaAlongTrip();
    const after = afterLastStop(samples);
    assert.ok(shrinking(after), shown(after));
    const lastQuarterHour = samples.filter((s) => s.t > trip.arrivalMs - 15 * MIN);
    assert.ok(
      lastQuarterHour.every((s) => Math.abs(s.errorMin) < 6),
      shown(lastQuarterHour),
    );
  });

  it('falls back to leaving now at the typical speed when stopped, so the ETA slips as the stop lasts', () => {
    const position = { lat: 47.0261, lon: 4.84 };
    const base = {
      position,
      destination: PARIS_HYPERMARKET,
      recentMovingSpeedKmh: 85,
      motionStatus: 'stopped' as const,
    };
    const first = estimateEta({ ...base, lastPositionAt: T0, nowMs: T0 });
    const later = estimateEta({ ...base, lastPositionAt: T0 + 30 * MIN, nowMs: T0 + 30 * MIN });
    assert.equal(first.confidence, 'stopped');
    const expectedKm = (distanceM(position, PARIS_HYPERMARKET) / 1000) * ETA_DEFAULTS.routeFactor;
    assert.equal(first.remainingKm, Math.round(expectedKm * 10) / 10);
    assert.ok(Math.abs((first.etaMs ?? NaN) - (T0 + (expectedKm / 70) * H)) <= 1);
    assert.equal((later.etaMs ?? NaN) - (first.etaMs ?? NaN), 30 * MIN);
    assert.match(first.basis, /stopped: assumed leaving now at the typical 70 km\/h/);
  });

  it('says stale when the last fix is old, and assumes driving on from it at the typical speed', () => {
    const eta = estimateEta({
      position: LYON_DEPOT,
      destination: PARIS_HYPERMARKET,
      recentMovingSpeedKmh: 40,
      motionStatus: 'moving',
      lastPositionAt: T0,
      nowMs: T0 + 2 * H,
      plannedArrival: T0 + 5 * H,
    });
    assert.equal(eta.confidence, 'stale');
    const hours = (eta.remainingKm ?? NaN) / 70;
    assert.ok(Math.abs((eta.etaMs ?? NaN) - (T0 + hours * H)) < (10 * MIN) / 60);
    assert.ok((eta.delayMs ?? NaN) > 0, 'late: 525 km at 70 km/h is 7.5 h');
    const arrivedByNow = estimateEta({
      position: PARIS_HYPERMARKET,
      destination: PARIS_HYPERMARKET,
      lastPositionAt: T0,
      nowMs: T0 + 2 * H,
    });
    assert.equal(arrivedByNow.etaMs, T0 + 2 * H, 'never in the past');
  });

  it('weighs recent speed more as the destination nears, within sane bounds', () => {
    const near = { lat: 48.7, lon: 2.4 };
    const slow = estimateEta({
      position: near,
      destination: PARIS_HYPERMARKET,
      recentMovingSpeedKmh: 20,
      motionStatus: 'moving',
      lastPositionAt: T0,
      nowMs: T0,
    });
    const crawl = estimateEta({
      position: near,
      destination: PARIS_HYPERMARKET,
      recentMovingSpeedKmh: 2,
      motionStatus: 'moving',
      lastPositionAt: T0,
      nowMs: T0,
    });
    const km = slow.remainingKm ?? NaN;
    const w = 50 / (50 + km);
    assert.ok(Math.abs((slow.etaMs ?? NaN) - T0 - (km / (w * 20 + (1 - w) * 70)) * H) < 1_000);
    assert.ok(
      (crawl.etaMs ?? 0) <= T0 + (km / (w * 15 + (1 - w) * 70)) * H + 1_000,
      'speed clamped at 15 km/h',
    );
  });

  it('is unknown without a position, and reports progress from the origin', () => {
    const none = estimateEta({ destination: PARIS_HYPERMARKET, nowMs: T0 });
    assert.deepEqual(
      [none.confidence, none.etaMs, none.remainingKm, none.progressPct],
      ['unknown', null, null, null],
    );
    const halfway = estimateEta({
      position: {
        lat: (LYON_DEPOT.lat + PARIS_HYPERMARKET.lat) / 2,
        lon: (LYON_DEPOT.lon + PARIS_HYPERMARKET.lon) / 2,
      },
      origin: LYON_DEPOT,
      destination: PARIS_HYPERMARKET,
      lastPositionAt: T0,
      nowMs: T0,
    });
    assert.ok(Math.abs((halfway.progressPct ?? NaN) - 50) < 1, `${halfway.progressPct}`);
    assert.equal(halfway.confidence, 'unknown');
  });
});
