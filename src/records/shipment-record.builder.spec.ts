import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { meanKineticTemperature } from './mean-kinetic-temperature.util.js';
import type { RecordReading } from './record.types.js';
import { buildShipmentRecord } from './shipment-record.builder.js';
import { at, CHILLED, MIN, recordInput, regularSeries, T0 } from './shipment-record.fixtures.js';

const iso = (minutes: number): string => new Date(at(minutes)).toISOString();

/**
 * Four hours, 5-minute readings at 5 °C, except: above 8 °C from 60 to 75 min (9.5, 10, 8.5),
 * nothing from 125 to 160 min (gap 120 → 165), below 2 °C at 210 min (1.5), a 3 g bump at 170,
 * a 12 g shock at 180 inside the hypermarket's geofence, a 7 g shock at 190 with no position.
 */
function handMadeSeries(): RecordReading[] {
  const special: Record<number, number> = { 60: 9.5, 65: 10, 70: 8.5, 210: 1.5 };
  return regularSeries(240, (m) => special[m] ?? 5)
    .filter((r) => r.measuredAt <= at(120) || r.measuredAt >= at(165))
    .map((r) => {
      const m = (r.measuredAt - T0) / MIN;
      if (m === 170) return { ...r, shockG: 3, lat: 48.7, lon: 2.4 };
      if (m === 180) return { ...r, shockG: 12, lat: 48.7599, lon: 2.3671 };
      if (m === 190) return { ...r, shockG: 7 };
      return r;
    });
}

describe(buildShipmentRecord.name, () => {
  it('computes the figures of a hand-made series with excursions, shocks and a gap', () => {
    const readings = handMadeSeries();
    const record = buildShipmentRecord(recordInput(readings, 240));

    assert.equal(record.temperature.readings, 41);
    assert.equal(record.temperature.minC, 1.5);
    assert.equal(record.temperature.maxC, 10);
    // Every reading stands for 5 min (the gap does not widen its neighbours): the plain mean.
    assert.equal(record.temperature.meanC, Math.round((214.5 / 41) * 1000) / 1000);
    const equalWeights = meanKineticTemperature(readings.map((r, i) => ({ t: i, c: r.temperatureC ?? NaN })));
    assert.equal(record.temperature.mktC, Math.round((equalWeights ?? NaN) * 1000) / 1000);

    assert.deepEqual(record.outOfRange, {
      cumulativeMin: 20,
      longestMin: 15,
      toleratedMin: 30,
      excursions: [
        { direction: 'above', start: iso(60), end: iso(75), peakC: 10, durationMin: 15, ongoing: false },
        { direction: 'below', start: iso(210), end: iso(215), peakC: 1.5, durationMin: 5, ongoing: false },
      ],
    });

    assert.deepEqual(record.shocks, [
      {
        peakG: 12,
        at: iso(180),
        lat: 48.7599,
        lon: 2.3671,
        positionAt: iso(180),
        legId: 'leg-2',
        siteId: 'thiais',
        carrier: 'Beta Logistique',
      },
      {
        peakG: 7,
        at: iso(190),
        lat: 48.7599,
        lon: 2.3671,
        positionAt: iso(180),
        legId: 'leg-2',
        siteId: 'thiais',
        carrier: 'Beta Logistique',
      },
    ]);

    assert.deepEqual(record.offlineGaps, [{ start: iso(120), end: iso(165), durationMin: 45 }]);
    assert.deepEqual(record.completeness, { expectedReadings: 49, receivedReadings: 41, pct: 83.7 });

    assert.equal(record.disposition.decision, 'inspect');
    assert.deepEqual(
      record.disposition.reasons.map((r) => [r.code, r.outcome]),
      [
        ['excursion-within-tolerance', 'accept'],
        ['shock-over-limit', 'accept'],
        ['completeness-low', 'inspect'],
      ],
    );
    assert.deepEqual(record.period, { from: iso(0), to: iso(240) });
  });

  it('gives the same record whatever the order and duplication of the stored readings', () => {
    const readings = handMadeSeries();
    const shuffled = [...readings].reverse().concat(readings.slice(0, 10));
    assert.deepEqual(
      buildShipmentRecord(recordInput(shuffled, 240)),
      buildShipmentRecord(recordInput(readings, 240)),
    );
  });

  it('leaves out readings outside the period', () => {
    const readings = [{ measuredAt: at(-30), temperatureC: 30 }, ...regularSeries(60, () => 5)];
    const record = buildShipmentRecord(recordInput(readings, 60));
    assert.equal(record.temperature.maxC, 5);
    assert.equal(record.temperature.readings, 13);
  });

  describe('disposition', () => {
    it('accepts a clean chilled trip', () => {
      const clean = regularSeries(360, (m) => 4 + Math.sin(m / 30));
      const record = buildShipmentRecord(recordInput(clean, 360));
      assert.equal(record.disposition.decision, 'accept');
      assert.deepEqual(
        record.disposition.reasons.map((r) => r.code),
        ['within-limits'],
      );
      assert.equal(record.completeness.pct, 100);
    });

    const twentyMinutesAbove = regularSeries(240, (m) => (m >= 100 && m < 120 ? 9 : 5));

    it('rejects 20 min above the limit when the profile tolerates 15 min and rejects beyond', () => {
      const record = buildShipmentRecord(
        recordInput(twentyMinutesAbove, 240, {
          ...CHILLED,
          toleratedExcursionMin: 15,
          excursionAction: 'reject',
        }),
      );
      assert.equal(record.outOfRange.cumulativeMin, 20);
      assert.equal(record.disposition.decision, 'reject');
      assert.equal(record.disposition.reasons[0].code, 'excursion-over-tolerance');
    });

    it('asks for inspection of the same 20 min when the profile says inspect', () => {
      const record = buildShipmentRecord(
        recordInput(twentyMinutesAbove, 240, {
          ...CHILLED,
          toleratedExcursionMin: 15,
          excursionAction: 'inspect',
        }),
      );
      assert.equal(record.disposition.decision, 'inspect');
    });

    it('accepts the same 20 min when the profile tolerates 30 min, and says so', () => {
      const record = buildShipmentRecord(recordInput(twentyMinutesAbove, 240));
      assert.equal(record.disposition.decision, 'accept');
      assert.equal(record.disposition.reasons[0].code, 'excursion-within-tolerance');
    });

    const shocked = regularSeries(120, () => 5).map((r) =>
      r.measuredAt === at(60) ? { ...r, shockG: 10, lat: 47.3, lon: 4.2 } : r,
    );

    it('asks for inspection after a 10 g shock on a fragile profile', () => {
      const record = buildShipmentRecord(
        recordInput(shocked, 120, { ...CHILLED, id: 'fragile', fragile: true }),
      );
      assert.equal(record.disposition.decision, 'inspect');
      assert.equal(record.shocks[0].legId, 'leg-1');
      assert.equal(record.shocks[0].carrier, 'Transports Alpha');
      assert.equal(record.shocks[0].siteId, null);
    });

    it('only notes the same shock on a profile that is not fragile', () => {
      const record = buildShipmentRecord(recordInput(shocked, 120));
      assert.equal(record.disposition.decision, 'accept');
      assert.equal(record.shocks.length, 1);
    });
  });
});
