import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../random/prng.js';
import { PROFILES, ReeferPhysics, type ReeferConditions } from './reefer.physics.js';

const CLOSED: ReeferConditions = {
  compressorRunning: true,
  defrosting: false,
  doorOpen: false,
  ambientC: 20,
  ambientHumidityPct: 60,
  dockAirC: 8,
};

function minutesUntil(model: ReeferPhysics, c: ReeferConditions, predicate: (t: number) => boolean): number {
  for (let minute = 1; minute <= 24 * 60; minute++) {
    model.step(60_000, c);
    if (predicate(model.trueAirC)) return minute;
  }
  return Infinity;
}

describe(ReeferPhysics.name, () => {
  it('holds the set point while the unit runs', () => {
    const model = new ReeferPhysics({ ...PROFILES.chilled, setPointC: 3 }, new Prng(1));
    model.step(6 * 3_600_000, CLOSED);
    assert.ok(Math.abs(model.trueAirC - 3) < 0.01);
  });

  it('crosses +4 °C 10–30 min after a compressor failure from a +3 °C set point', () => {
    const model = new ReeferPhysics({ ...PROFILES.chilled, setPointC: 3 }, new Prng(1));
    const minutes = minutesUntil(model, { ...CLOSED, compressorRunning: false }, (t) => t > 4);
    assert.ok(minutes >= 10 && minutes <= 30, `crossed after ${minutes} min`);
    // …and keeps drifting towards ambient without passing it (first order, τ = 4 h).
    model.step(4 * 3_600_000, { ...CLOSED, compressorRunning: false });
    assert.ok(model.trueAirC > 12 && model.trueAirC < 20, `after ~4 h: ${model.trueAirC.toFixed(1)} °C`);
  });

  it('spikes at a door opening and recovers', () => {
    const model = new ReeferPhysics(PROFILES.chilled, new Prng(1));
    // A store's receiving bay at 12 °C: the worse of the two docks.
    model.step(5 * 60_000, { ...CLOSED, doorOpen: true, dockAirC: 12 });
    const peak = model.trueAirC;
    assert.ok(
      peak > PROFILES.chilled.setPointC + 1 && peak < PROFILES.chilled.maxC,
      `peak ${peak.toFixed(2)} °C`,
    );
    model.step(60 * 60_000, CLOSED);
    assert.ok(model.trueAirC < PROFILES.chilled.setPointC + 0.2);
  });

  it('warms a little during defrost, within the ATP tolerance for frozen goods', () => {
    const model = new ReeferPhysics(PROFILES.frozen, new Prng(1));
    model.step(20 * 60_000, { ...CLOSED, defrosting: true });
    const rise = model.trueAirC - PROFILES.frozen.setPointC;
    assert.ok(rise > 1 && rise < 3, `rise ${rise.toFixed(2)} K`);
  });

  it('reads with noise at 0.1 °C resolution, reproducibly', () => {
    const read = (seed: number): number[] => {
      const model = new ReeferPhysics(PROFILES.chilled, new Prng(seed));
      return Array.from({ length: 20 }, (_, i) => model.readTemperatureC(i * 60_000, true));
    };
    assert.deepEqual(read(7), read(7));
    assert.notDeepEqual(read(7), read(8));
    for (const t of read(7)) assert.equal(Math.round(t * 10) / 10, t);
  });
});
