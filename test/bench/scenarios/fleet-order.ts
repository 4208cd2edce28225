/**
 * The soak's devices in a fixed pseudo-random order, as a fleet's devices report (each on its own
 * timer), not in the order of their ids. The readings table is keyed by container: walking the
 * devices in id order, each transaction's readings went to neighbouring containers, which shared
 * pages while they had few rows, so the first windows wrote a quarter of the pages a reading costs
 * once every container's rows fill pages of their own (0.3 then 1.3 WAL pages a reading, the p99
 * climbing with it); in this order a reading costs from the first window what it costs a fleet.
 */
export function fleetOrder(devices: readonly number[], seed = 22): number[] {
  const out = [...devices];
  let state = seed >>> 0;
  const next = () => {
    // mulberry32: small, seeded, good enough to scatter ids
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
