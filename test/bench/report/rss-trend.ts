/** Growth the soak tolerates over its fitted span, as a share of the mean RSS there. */
export const FLAT_GROWTH_SHARE = 0.05;
/** Readings left out of the fit at the start: the heap and the caches fill in the first window. */
const WARM_WINDOWS = 1;

/** The trend of RSS readings taken at the end of equal windows. */
export interface RssTrend {
  /** Least-squares slope over the fitted windows, MB per minute. */
  slopeMbPerMin: number;
  /** The fitted growth over the span (slope × span), MB. */
  growthMb: number;
  /** The span fitted, s (the windows after the first minute: the last 4 minutes of a 5-minute soak). */
  spanS: number;
  /** Growth within {@link FLAT_GROWTH_SHARE} of the mean RSS (a leak of that size shows). */
  flat: boolean;
}

/** RSS trend of a soak from its per-window readings (`windowS` apart); undefined with under 3 to fit. */
export function rssTrend(rssMb: readonly number[], windowS: number): RssTrend | undefined {
  const ys = rssMb.slice(rssMb.length >= WARM_WINDOWS + 3 ? WARM_WINDOWS : 0);
  if (ys.length < 3) return undefined;
  const xs = ys.map((_, i) => (i * windowS) / 60);
  const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  let num = 0;
  let den = 0;
  for (let i = 0; i < ys.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  const slope = num / den;
  const spanS = (ys.length - 1) * windowS;
  const growthMb = (slope * spanS) / 60;
  return {
    slopeMbPerMin: Math.round(slope * 10) / 10,
    growthMb: Math.round(growthMb),
    spanS,
    flat: growthMb <= FLAT_GROWTH_SHARE * my,
  };
}
