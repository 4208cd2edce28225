import type { Xyz } from '#src/ingestion/codecs/cayenne-lpp.types.js';
import type { Prng } from '../random/prng.js';
import { offsetMetres, type GeoPoint } from '../world/geo.js';
import type { PhaseKind } from '../world/trip-plan.js';
import { round } from './reefer.physics.js';

/** Peak dynamic acceleration (gravity removed) since the previous uplink, g, with its axes. */
export interface ShockSample {
  peakG: number;
  accel: Xyz;
}

export interface ShockOptions {
  /** Probability that one reading window at a dock contains a drop of a pallet or parcel. */
  dropProbability: number;
  /** Peak of a drop, g: min and max. */
  dropG: readonly [number, number];
}

/**
 * Shocks a logger on a pallet sees: forklift bumps at the docks, road vibration and potholes
 * while driving, almost nothing when parked, and rare drops when handling goes wrong.
 */
export function sampleShock(prng: Prng, phase: PhaseKind | 'parked', o: ShockOptions): ShockSample {
  const atDock = phase === 'loading' || phase === 'unloading';
  let peak: number;
  let vertical = false;
  if (atDock && prng.chance(o.dropProbability)) {
    peak = prng.range(o.dropG[0], o.dropG[1]);
    vertical = true;
  } else if (atDock) {
    peak = prng.chance(0.3) ? prng.range(1.2, 3) : prng.range(0.05, 0.4);
  } else if (phase === 'driving') {
    peak = prng.chance(0.01) ? prng.range(1.2, 2.5) : prng.range(0.1, 0.6);
    vertical = true;
  } else {
    peak = prng.range(0.01, 0.05);
  }
  return { peakG: round(peak, 3), accel: direction(prng, peak, vertical) };
}

/** Splits a peak over the three axes; drops and road bumps are mostly vertical (z). */
function direction(prng: Prng, peak: number, vertical: boolean): Xyz {
  let x = prng.normal();
  let y = prng.normal();
  let z = prng.normal() + (vertical ? 3 : 0);
  const norm = Math.hypot(x, y, z) || 1;
  x = (x / norm) * peak;
  y = (y / norm) * peak;
  z = (z / norm) * peak;
  return { x: round(x, 3), y: round(y, 3), z: round(z, 3) };
}

/** GPS fix with the few metres of error a consumer receiver has in the open (σ ≈ 4 m). */
export function jitterPosition(prng: Prng, p: GeoPoint): GeoPoint {
  const moved = offsetMetres(p, prng.normal(0, 4), prng.normal(0, 4));
  return { lat: round(moved.lat, 6), lon: round(moved.lon, 6), altM: round(p.altM + prng.normal(0, 6), 1) };
}

/**
 * Battery drain of a LoRa / LTE-M tracker: a little per uplink (radio) and a little per hour
 * (sleep current, GPS fixes). Visible over a day, years on a real device it is not.
 */
export const BATTERY_PCT_PER_UPLINK = 0.002;
export const BATTERY_PCT_PER_HOUR = 0.01;
