import type { Prng } from '../random/prng.js';

/** Product profiles the simulator knows, matching the ATP families of ARCHITECTURE.md §6. */
export type ProfileId = 'chilled' | 'frozen' | 'fresh-produce';

export interface ReeferProfile {
  id: ProfileId;
  /** Thermostat set point, °C. */
  setPointC: number;
  /** Upper limit of the product's band, °C (for documentation and tests). */
  maxC: number;
  /** Relative humidity the load keeps when the box is closed, %. */
  humidityPct: number;
  /** Air temperature rise at the sensor during a defrost cycle, °C. */
  defrostRiseC: number;
}

export const PROFILES: Readonly<Record<ProfileId, ReeferProfile>> = {
  chilled: { id: 'chilled', setPointC: 2, maxC: 4, humidityPct: 88, defrostRiseC: 1.2 },
  // ATP tolerates a brief +3 °C on frozen goods during defrost.
  frozen: { id: 'frozen', setPointC: -21, maxC: -18, humidityPct: 70, defrostRiseC: 2.5 },
  'fresh-produce': { id: 'fresh-produce', setPointC: 6, maxC: 8, humidityPct: 92, defrostRiseC: 1 },
};

/**
 * Time constants of the first-order air-temperature model (dT/dt = Σ (T_i − T) / τ_i).
 *
 * - Unit running: pulls the air back to the set point with τ = 20 min (a reefer recovers a
 *   door opening in a quarter of an hour to half an hour).
 * - Door open at a dock: exchange with the dock air, τ = 25 min; docks have shelters, and chilled
 *   platforms are themselves kept cool, so a short opening costs one or two degrees, not ten.
 * - Unit failed: the box drifts to ambient through its insulation and the thermal mass of the
 *   load with τ = 4 h. From +3 °C with 20 °C outside that is an initial slope of 17 K / 240 min
 *   ≈ 1 K per 14 min, what loaded insulated semi-trailers (ATP class FRC, K ≤ 0.4 W/m²·K) show
 *   in the first hour after a unit stops; the +4 °C limit is crossed after about 15 minutes.
 */
export const TAU_COOLING_MS = 20 * 60_000;
export const TAU_DOOR_MS = 25 * 60_000;
export const TAU_FAILURE_MS = 4 * 3_600_000;
/** Humidity follows its target with this time constant. */
export const TAU_HUMIDITY_MS = 15 * 60_000;
/** The thermostat cycles the compressor: a ±0.3 °C ripple of about 12 minutes. */
const RIPPLE_C = 0.3;
const RIPPLE_PERIOD_MS = 12 * 60_000;

export interface ReeferConditions {
  compressorRunning: boolean;
  defrosting: boolean;
  doorOpen: boolean;
  ambientC: number;
  ambientHumidityPct: number;
  /** Air on the other side of an open door (a dock), °C. */
  dockAirC: number;
}

/** Air temperature and humidity inside one reefer box, advanced step by step in simulated time. */
export class ReeferPhysics {
  private airC: number;
  private humidity: number;
  private readonly ripplePhase: number;

  constructor(
    readonly profile: ReeferProfile,
    private readonly prng: Prng,
    initialC = profile.setPointC,
  ) {
    this.airC = initialC;
    this.humidity = profile.humidityPct;
    this.ripplePhase = prng.range(0, 2 * Math.PI);
  }

  /** Advances the model by `dtMs` under constant conditions (exact exponential solution). */
  step(dtMs: number, c: ReeferConditions): void {
    if (dtMs <= 0) return;
    let rate = 0;
    let weighted = 0;
    if (c.compressorRunning) {
      const target = this.profile.setPointC + (c.defrosting ? this.profile.defrostRiseC * 1.5 : 0);
      rate += 1 / TAU_COOLING_MS;
      weighted += target / TAU_COOLING_MS;
    } else {
      rate += 1 / TAU_FAILURE_MS;
      weighted += c.ambientC / TAU_FAILURE_MS;
    }
    if (c.doorOpen) {
      rate += 1 / TAU_DOOR_MS;
      weighted += c.dockAirC / TAU_DOOR_MS;
    }
    const equilibrium = weighted / rate;
    this.airC = equilibrium + (this.airC - equilibrium) * Math.exp(-rate * dtMs);

    let humidityTarget = this.profile.humidityPct;
    if (c.doorOpen) humidityTarget = (humidityTarget + c.ambientHumidityPct) / 2;
    if (c.defrosting) humidityTarget += 5;
    if (!c.compressorRunning) humidityTarget = (humidityTarget + c.ambientHumidityPct) / 2;
    const k = Math.exp(-dtMs / TAU_HUMIDITY_MS);
    this.humidity = humidityTarget + (this.humidity - humidityTarget) * k;
  }

  /** What the sensor reads now: air temperature plus thermostat ripple and sensor noise. */
  readTemperatureC(atMs: number, compressorRunning: boolean): number {
    const ripple = compressorRunning
      ? RIPPLE_C * Math.sin((2 * Math.PI * atMs) / RIPPLE_PERIOD_MS + this.ripplePhase)
      : 0;
    return round(this.airC + ripple + this.prng.normal(0, 0.05), 1);
  }

  readHumidityPct(): number {
    return round(Math.min(100, Math.max(0, this.humidity + this.prng.normal(0, 0.8))), 1);
  }

  /** The modelled air temperature without noise, °C (for tests and summaries). */
  get trueAirC(): number {
    return this.airC;
  }
}

export function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
