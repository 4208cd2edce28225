/**
 * Mean kinetic temperature, USP <1079> (and ICH Q1A): the single temperature that would cause the
 * same overall degradation as the recorded profile, under Arrhenius kinetics:
 *
 *   MKT = (ΔH / R) / −ln( Σ wᵢ · e^(−ΔH / (R · Tᵢ)) / Σ wᵢ )      Tᵢ in kelvin
 *
 * with ΔH = 83.144 kJ/mol (the USP default activation energy) and R = 8.3144621 J/(mol·K), so
 * ΔH/R ≈ 10,000 K.
 *
 * Weights: USP writes the sum over equally spaced readings. Loggers are not always regular, so
 * each sample weighs the time it stands for: half the interval to the previous sample plus half
 * the interval to the next (an end sample counts its one neighbouring half-interval twice). Equal
 * spacing therefore gives equal weights, i.e. exactly the USP formula. `maxHalfIntervalMs` caps
 * each half-interval so a sample next to an offline gap does not stand for hours nobody measured.
 */
export const ACTIVATION_ENERGY_J_PER_MOL = 83_144;
export const GAS_CONSTANT_J_PER_MOL_K = 8.3144621;
export const KELVIN_OFFSET = 273.15;

export interface TemperatureSample {
  /** Epoch ms. */
  t: number;
  /** °C. */
  c: number;
}

export interface TimeWeightOptions {
  /** Upper bound of each half-interval a sample stands for, ms. */
  maxHalfIntervalMs?: number;
}

/** Mean kinetic temperature in °C; `undefined` for no usable sample. Input order does not matter. */
export function meanKineticTemperature(
  samples: readonly TemperatureSample[],
  options: TimeWeightOptions = {},
): number | undefined {
  const sorted = usableSorted(samples);
  if (sorted.length === 0) return undefined;
  const weights = sampleWeights(
    sorted.map((s) => s.t),
    options,
  );
  const eOverR = ACTIVATION_ENERGY_J_PER_MOL / GAS_CONSTANT_J_PER_MOL_K;
  let sum = 0;
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    sum += weights[i] * Math.exp(-eOverR / (sorted[i].c + KELVIN_OFFSET));
    total += weights[i];
  }
  return eOverR / -Math.log(sum / total) - KELVIN_OFFSET;
}

/** Time-weighted arithmetic mean in °C, with the same weights as the MKT. */
export function timeWeightedMean(
  samples: readonly TemperatureSample[],
  options: TimeWeightOptions = {},
): number | undefined {
  const sorted = usableSorted(samples);
  if (sorted.length === 0) return undefined;
  const weights = sampleWeights(
    sorted.map((s) => s.t),
    options,
  );
  let sum = 0;
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    sum += weights[i] * sorted[i].c;
    total += weights[i];
  }
  return sum / total;
}

/**
 * The time each sample stands for, ms, for ascending `times`. When every sample shares one instant
 * (or there is a single sample), the weights are all 1.
 */
export function sampleWeights(times: readonly number[], options: TimeWeightOptions = {}): number[] {
  const cap = options.maxHalfIntervalMs ?? Infinity;
  const half = (i: number): number => Math.min((times[i + 1] - times[i]) / 2, cap);
  const n = times.length;
  const weights = times.map((_, i) => {
    if (n === 1) return 1;
    if (i === 0) return 2 * half(0);
    if (i === n - 1) return 2 * half(n - 2);
    return half(i - 1) + half(i);
  });
  return weights.some((w) => w > 0) ? weights : times.map(() => 1);
}

function usableSorted(samples: readonly TemperatureSample[]): TemperatureSample[] {
  return samples
    .filter((s) => Number.isFinite(s.t) && Number.isFinite(s.c) && s.c > -KELVIN_OFFSET)
    .sort((a, b) => a.t - b.t);
}
