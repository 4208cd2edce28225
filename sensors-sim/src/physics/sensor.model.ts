import { Prng } from '../random/prng.js';
import type { SimDevice, SimTrip } from '../world/fleet.js';
import type { GeoPoint } from '../world/geo.js';
import type { Site } from '../world/sites.js';
import { siteById } from '../world/sites.js';
import type { PhaseKind } from '../world/trip-plan.js';
import { ambientHumidityPct, ambientTemperatureC } from './ambient.physics.js';
import {
  BATTERY_PCT_PER_HOUR,
  BATTERY_PCT_PER_UPLINK,
  jitterPosition,
  sampleShock,
  type ShockSample,
} from './motion.physics.js';
import { ReeferPhysics, round } from './reefer.physics.js';

/** Everything one logger measures at one instant. */
export interface SensorSample {
  atMs: number;
  temperatureC: number;
  humidityPct: number;
  shock: ShockSample;
  position: GeoPoint;
  batteryPct: number;
  doorOpen: boolean;
  phase: PhaseKind | 'parked';
}

/** Reefers defrost their evaporator every 6 h for about 20 min. */
export const DEFROST_EVERY_MS = 6 * 3_600_000;
export const DEFROST_FOR_MS = 20 * 60_000;
/** At a dock the door opens a few minutes after the truck docks, for a few minutes. */
const DOOR_OPENS_AFTER_MS = 3 * 60_000;
const DOOR_OPEN_FOR_MS = 4 * 60_000;
/** Physics advance in steps no longer than this, so doors and defrosts are not skipped. */
const MAX_STEP_MS = 60_000;

interface Situation {
  point: GeoPoint;
  phase: PhaseKind | 'parked';
  phaseStartMs: number;
  site?: Site;
}

/** The state of one device's logger over simulated time; call `sample` with increasing times. */
export class SensorModel {
  private readonly reefer: ReeferPhysics;
  private readonly prng: Prng;
  private readonly defrostOffsetMs: number;
  private lastMs: number;
  private batteryPct: number;

  constructor(
    private readonly device: SimDevice,
    seed: string,
    private readonly worldStartMs: number,
  ) {
    this.prng = Prng.derive(seed, `physics/${device.deviceId}`);
    this.reefer = new ReeferPhysics(
      device.profile,
      this.prng,
      device.profile.setPointC + this.prng.normal(0, 0.2),
    );
    this.defrostOffsetMs = Math.floor(this.prng.range(0, DEFROST_EVERY_MS));
    this.lastMs = worldStartMs;
    this.batteryPct = device.initialBatteryPct;
  }

  sample(atMs: number): SensorSample {
    for (let t = this.lastMs; t < atMs;) {
      const dt = Math.min(MAX_STEP_MS, atMs - t);
      this.advance(t + dt / 2, dt);
      t += dt;
    }
    this.batteryPct = Math.max(
      0,
      this.batteryPct - BATTERY_PCT_PER_UPLINK - (BATTERY_PCT_PER_HOUR * (atMs - this.lastMs)) / 3_600_000,
    );
    this.lastMs = Math.max(this.lastMs, atMs);
    const where = this.situation(atMs);
    const compressorRunning = this.compressorRunning(atMs);
    const drops = this.device.incidents.drops;
    return {
      atMs,
      temperatureC: this.reefer.readTemperatureC(atMs, compressorRunning),
      humidityPct: this.reefer.readHumidityPct(),
      shock: sampleShock(this.prng, where.phase, {
        dropProbability: drops?.probability ?? 0,
        dropG: drops?.peakG ?? [0, 0],
      }),
      position: jitterPosition(this.prng, where.point),
      batteryPct: round(this.batteryPct, 1),
      doorOpen: this.doorOpen(where, atMs),
      phase: where.phase,
    };
  }

  private advance(midMs: number, dtMs: number): void {
    const where = this.situation(midMs);
    const ambientC = ambientTemperatureC(where.point.lat, midMs);
    // Chilled platforms keep their docks cool; a store's receiving bay is closer to outside air.
    const dockAirC = Math.min(ambientC, where.site?.kind === 'depot' ? 8 : 10);
    this.reefer.step(dtMs, {
      compressorRunning: this.compressorRunning(midMs),
      defrosting: (midMs + this.defrostOffsetMs) % DEFROST_EVERY_MS < DEFROST_FOR_MS,
      doorOpen: this.doorOpen(where, midMs),
      ambientC,
      ambientHumidityPct: ambientHumidityPct(midMs),
      dockAirC,
    });
  }

  private compressorRunning(atMs: number): boolean {
    const failAt = this.device.incidents.compressorFailureAtMs;
    return failAt === undefined || atMs < this.worldStartMs + failAt;
  }

  private doorOpen(where: Situation, atMs: number): boolean {
    if (where.phase !== 'loading' && where.phase !== 'unloading') return false;
    const since = atMs - where.phaseStartMs;
    return since >= DOOR_OPENS_AFTER_MS && since < DOOR_OPENS_AFTER_MS + DOOR_OPEN_FOR_MS;
  }

  private situation(atMs: number): Situation {
    const trips = this.device.trips;
    if (trips.length === 0 || atMs < trips[0].plan.startMs) {
      return {
        point: this.device.homeSite.location,
        phase: 'parked',
        phaseStartMs: this.worldStartMs,
        site: this.device.homeSite,
      };
    }
    let trip: SimTrip = trips[0];
    for (const t of trips) if (t.plan.startMs <= atMs) trip = t;
    const plan = trip.plan;
    if (atMs >= plan.endMs) {
      const site = siteById(plan.route.to);
      return { point: site.location, phase: 'parked', phaseStartMs: plan.endMs, site };
    }
    const phase = plan.phaseAt(atMs);
    const position = plan.positionAt(atMs);
    const site =
      phase.kind === 'loading'
        ? siteById(plan.route.from)
        : phase.kind === 'unloading'
          ? siteById(plan.route.to)
          : undefined;
    return { point: position.point, phase: phase.kind, phaseStartMs: phase.startMs, site };
  }
}
