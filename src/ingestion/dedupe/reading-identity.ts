import type { Measurements } from '#src/contracts/reading.js';

/**
 * What makes a reading distinct (README "Send a first reading"): its device and its measuredAt.
 * Both stores keep one row per identity (InfluxDB: one point per series and timestamp; the
 * embedded store: its primary key), so a second reading with the same identity is either a
 * repeat (same values: dropped as a duplicate) or a conflict (other values: refused with reason
 * `conflict`), never a silent overwrite. `seq` and the frame counter are not part of it: keeping
 * two readings of one instant would need a per-reading tag in InfluxDB, unbounded cardinality.
 */
export function readingIdentity(deviceId: string, measuredAt: number): string {
  return `${deviceId}:t:${measuredAt}`;
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/**
 * A 32-bit fingerprint of a reading's measured values (what both stores keep of it besides its
 * identity and reception metadata). Two readings with other values share a fingerprint with a
 * probability of about 2⁻³²; only then would a conflict pass for a repeat.
 */
export function readingFingerprint(m: Measurements): number {
  let h = 0x811c9dc5;
  h = mix(h, m.temperatureC);
  h = mix(h, m.humidityPct);
  h = mix(h, m.shockG);
  h = mix(h, m.lat);
  h = mix(h, m.lon);
  h = mix(h, m.altM);
  h = mix(h, m.batteryPct);
  h = mix(h, m.doorOpen === undefined ? undefined : m.doorOpen ? 1 : 0);
  // murmur3 fmix32 avalanche.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Mixes one value (undefined is its own value, unlike any number) into the hash. */
function mix(h: number, value: number | undefined): number {
  if (value === undefined) return Math.imul(h ^ 0x5bd1e995, 0x01000193);
  bits[0] = value;
  h = Math.imul(h ^ words[0], 0x01000193);
  return Math.imul(h ^ words[1], 0x01000193);
}
