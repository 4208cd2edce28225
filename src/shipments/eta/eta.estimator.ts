import type { GeoPoint } from '#src/shipments/geo/geofence.types.js';
import { distanceM } from '#src/shipments/geo/great-circle.util.js';
import type { MotionStatus } from './motion.tracker.js';

/**
 * Defaults of the ETA, documented because a planner will ask where a number comes from.
 *
 * - `routeFactor` 1.3: road distance over great-circle distance. Measured detour indices of
 *   European road networks are 1.2–1.4 between towns; Lyon → Paris is ~465 km by the A6 for
 *   ~392 km great-circle (1.19), urban deliveries run higher. Pass a per-lane value when known.
 * - `typicalSpeedKmh` 70: a loaded truck's door-to-door average (90 km/h limit on motorways,
 *   slower on access roads, breaks excluded), used whenever recent speed cannot be trusted.
 * - Moving: the recent moving speed (clamped to 15–90 km/h) is blended with the typical speed,
 *   the recent one weighing `blendKm / (blendKm + remainingKm)` (blendKm = 50): near the
 *   destination what the truck is doing now predicts best; 300 km out, today's traffic jam does not.
 * - Stopped: the truck is assumed to set off now at the typical speed (the stop's end is unknown).
 * - Stale (no fix for `staleAfterMs`, 15 min): the truck is assumed to have kept driving at the
 *   typical speed from its last fix (coverage holes are mostly on the road), never earlier than now.
 */
export const ETA_DEFAULTS = {
  routeFactor: 1.3,
  typicalSpeedKmh: 70,
  minSpeedKmh: 15,
  maxSpeedKmh: 90,
  blendKm: 50,
  staleAfterMs: 15 * 60_000,
} as const;

export type EtaConfidence = 'moving' | 'stopped' | 'stale' | 'unknown';

export interface EtaInput {
  /** Last known position; absent when none was received. */
  position?: GeoPoint;
  /** Where the shipment started, for progress; absent to leave progress unknown. */
  origin?: GeoPoint;
  destination: GeoPoint;
  /** Planned arrival, epoch ms. */
  plannedArrival?: number;
  /** Smoothed speed over recent moving stretches, km/h (MotionState.movingSpeedKmh). */
  recentMovingSpeedKmh?: number;
  motionStatus?: MotionStatus;
  /** measuredAt of `position`, epoch ms. */
  lastPositionAt?: number;
  nowMs: number;
  routeFactor?: number;
}

export interface EtaEstimate {
  /** Remaining road distance estimate, km. */
  remainingKm: number | null;
  /** Share of the great-circle distance covered, 0–100. */
  progressPct: number | null;
  /** Estimated arrival, epoch ms. */
  etaMs: number | null;
  /** etaMs − plannedArrival, ms; positive when late. */
  delayMs: number | null;
  confidence: EtaConfidence;
  /** How the estimate was made, in words. */
  basis: string;
}

export function estimateEta(input: EtaInput): EtaEstimate {
  const d = ETA_DEFAULTS;
  const { position, destination, nowMs } = input;
  if (!position || input.lastPositionAt === undefined) {
    return {
      remainingKm: null,
      progressPct: null,
      etaMs: null,
      delayMs: null,
      confidence: 'unknown',
      basis: 'no position received yet',
    };
  }
  const routeFactor = input.routeFactor ?? d.routeFactor;
  const greatCircleKm = distanceM(position, destination) / 1000;
  const remainingKm = greatCircleKm * routeFactor;
  const progressPct = progress(input.origin, destination, greatCircleKm);
  const road = `${greatCircleKm.toFixed(1)} km great-circle × ${routeFactor}`;

  let confidence: EtaConfidence;
  let speedKmh: number;
  let startMs: number;
  let basis: string;
  const recent = input.recentMovingSpeedKmh;
  if (nowMs - input.lastPositionAt > d.staleAfterMs) {
    confidence = 'stale';
    speedKmh = d.typicalSpeedKmh;
    startMs = input.lastPositionAt;
    basis = `no fix for ${Math.round((nowMs - input.lastPositionAt) / 60_000)} min: assumed driving at the typical ${d.typicalSpeedKmh} km/h since the last fix over ${road}`;
  } else if (input.motionStatus === 'stopped' || recent === undefined || !(recent > 0)) {
    confidence = input.motionStatus === 'stopped' ? 'stopped' : 'unknown';
    speedKmh = d.typicalSpeedKmh;
    startMs = nowMs;
    basis = `${input.motionStatus === 'stopped' ? 'stopped' : 'no recent speed'}: assumed leaving now at the typical ${d.typicalSpeedKmh} km/h over ${road}`;
  } else {
    confidence = 'moving';
    const clamped = Math.min(d.maxSpeedKmh, Math.max(d.minSpeedKmh, recent));
    const w = d.blendKm / (d.blendKm + remainingKm);
    speedKmh = w * clamped + (1 - w) * d.typicalSpeedKmh;
    startMs = input.lastPositionAt;
    basis = `recent ${clamped.toFixed(0)} km/h weighted ${(w * 100).toFixed(0)} % with the typical ${d.typicalSpeedKmh} km/h → ${speedKmh.toFixed(1)} km/h over ${road}`;
  }
  const etaMs = Math.max(nowMs, Math.round(startMs + (remainingKm / speedKmh) * 3_600_000));
  const delayMs = input.plannedArrival === undefined ? null : etaMs - input.plannedArrival;
  return { remainingKm: round(remainingKm, 1), progressPct, etaMs, delayMs, confidence, basis };
}

function progress(origin: GeoPoint | undefined, destination: GeoPoint, remainingGcKm: number): number | null {
  if (!origin) return null;
  const totalKm = distanceM(origin, destination) / 1000;
  if (totalKm === 0) return 100;
  return round(Math.min(100, Math.max(0, 100 * (1 - remainingGcKm / totalKm))), 1);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
