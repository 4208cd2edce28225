import { Polyline, type GeoPoint } from './geo.js';
import type { Route } from './routes.js';

export type PhaseKind = 'loading' | 'driving' | 'break' | 'dwell' | 'unloading';

/** One stretch of a trip with a constant speed along the path (zero when stopped). */
export interface Phase {
  kind: PhaseKind;
  startMs: number;
  endMs: number;
  /** Position along the path (polyline km) at the start and end of the phase. */
  startKm: number;
  endKm: number;
  /** Road speed, km/h (0 when stopped). */
  speedKmh: number;
}

/** A stretch where traffic is slow (roadworks, jam): `kmh` between two path positions. */
export interface Slowdown {
  fromKm: number;
  toKm: number;
  kmh: number;
}

export interface TripOptions {
  /** When loading starts at the origin dock, epoch ms. */
  departAtMs: number;
  loadingMs: number;
  unloadingMs: number;
  /** Motorway cruise speed, km/h. French trucks are limited to 90; 80 is a realistic mean. */
  cruiseKmh: number;
  slowdowns?: readonly Slowdown[];
  /** Unplanned stops outside any site: at a path position, for a duration. */
  dwells?: readonly { atKm: number; durationMs: number }[];
}

/** Roads wind: road distance ≈ 1.07 × the straight lines between our waypoints (Lyon → Rungis ≈ 470 km). */
export const WINDING_FACTOR = 1.07;
/** Within this distance of a site the truck drives on urban roads and ring roads. */
export const NEAR_SITE_KM = 5;
export const NEAR_SITE_KMH = 40;
/** EU regulation 561/2006: a 45 min break after 4 h 30 of driving. */
export const MAX_DRIVING_MS = 4.5 * 3_600_000;
export const BREAK_MS = 45 * 60_000;

export interface TripPosition {
  point: GeoPoint;
  phase: PhaseKind;
  speedKmh: number;
}

/** A trip's whole timeline, built once; positions are then pure lookups by time. */
export class TripPlan {
  readonly path: Polyline;
  readonly phases: readonly Phase[];

  constructor(
    readonly route: Route,
    options: TripOptions,
  ) {
    this.path = new Polyline(route.waypoints);
    this.phases = buildPhases(this.path.totalKm, options);
  }

  get startMs(): number {
    return this.phases[0].startMs;
  }

  /** When the truck reaches the destination dock (unloading starts). */
  get arrivalMs(): number {
    return this.phases[this.phases.length - 1].startMs;
  }

  get endMs(): number {
    return this.phases[this.phases.length - 1].endMs;
  }

  phaseAt(atMs: number): Phase {
    const phases = this.phases;
    if (atMs <= phases[0].startMs) return phases[0];
    let lo = 0;
    let hi = phases.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (phases[mid].startMs <= atMs) lo = mid;
      else hi = mid - 1;
    }
    return phases[lo];
  }

  positionAt(atMs: number): TripPosition {
    const phase = this.phaseAt(atMs);
    const span = phase.endMs - phase.startMs;
    const fraction = span <= 0 ? 1 : Math.min(1, Math.max(0, (atMs - phase.startMs) / span));
    const km = phase.startKm + (phase.endKm - phase.startKm) * fraction;
    return { point: this.path.at(km), phase: phase.kind, speedKmh: phase.speedKmh };
  }
}

function buildPhases(totalKm: number, o: TripOptions): Phase[] {
  const phases: Phase[] = [];
  let t = o.departAtMs;
  const stop = (kind: PhaseKind, km: number, durationMs: number): void => {
    phases.push({ kind, startMs: t, endMs: t + durationMs, startKm: km, endKm: km, speedKmh: 0 });
    t += durationMs;
  };
  stop('loading', 0, o.loadingMs);

  const dwells = [...(o.dwells ?? [])].sort((a, b) => a.atKm - b.atKm);
  const cuts = new Set<number>([0, totalKm]);
  const near = Math.min(NEAR_SITE_KM, totalKm / 2);
  cuts.add(near).add(totalKm - near);
  for (const s of o.slowdowns ?? []) cuts.add(clamp(s.fromKm, totalKm)).add(clamp(s.toKm, totalKm));
  for (const d of dwells) cuts.add(clamp(d.atKm, totalKm));
  const marks = [...cuts].sort((a, b) => a - b);

  let drivenMs = 0;
  let dwellIndex = 0;
  for (let i = 0; i < marks.length - 1; i++) {
    let km = marks[i];
    const toKm = marks[i + 1];
    while (dwellIndex < dwells.length && dwells[dwellIndex].atKm <= km) {
      stop('dwell', km, dwells[dwellIndex++].durationMs);
    }
    const kmh = speedAt((km + toKm) / 2, totalKm, o);
    // Speeds are road speeds; the path is shorter than the road by the winding factor.
    const msPerKm = (3_600_000 * WINDING_FACTOR) / kmh;
    while (km < toKm) {
      const legMs = Math.min((toKm - km) * msPerKm, MAX_DRIVING_MS - drivenMs);
      const legKm = legMs / msPerKm;
      const endKm = km + legKm >= toKm - 1e-9 ? toKm : km + legKm;
      phases.push({ kind: 'driving', startMs: t, endMs: t + legMs, startKm: km, endKm, speedKmh: kmh });
      t += legMs;
      drivenMs += legMs;
      km = endKm;
      if (drivenMs >= MAX_DRIVING_MS - 1 && km < totalKm) {
        stop('break', km, BREAK_MS);
        drivenMs = 0;
      }
    }
  }
  while (dwellIndex < dwells.length) stop('dwell', totalKm, dwells[dwellIndex++].durationMs);
  stop('unloading', totalKm, o.unloadingMs);
  return phases;
}

function speedAt(km: number, totalKm: number, o: TripOptions): number {
  for (const s of o.slowdowns ?? []) if (km >= s.fromKm && km < s.toKm) return s.kmh;
  if (km < NEAR_SITE_KM || km > totalKm - NEAR_SITE_KM) return NEAR_SITE_KMH;
  return o.cruiseKmh;
}

function clamp(km: number, totalKm: number): number {
  return Math.min(totalKm, Math.max(0, km));
}
