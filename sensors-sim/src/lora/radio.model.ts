import type { Prng } from '../random/prng.js';
import { haversineKm, type GeoPoint } from '../world/geo.js';
import { ROUTES } from '../world/routes.js';
import { SITES } from '../world/sites.js';

export interface Gateway {
  /** EUI-64, 16 hex digits. */
  eui: string;
  location: GeoPoint;
}

/** What one gateway measured of one uplink. */
export interface Reception {
  gateway: Gateway;
  rssi: number;
  snr: number;
}

/**
 * Gateways of the simulated network: one at every site and one at every motorway waypoint (the
 * towers of a public operator along the roads), EUIs derived from their position.
 */
export const GATEWAYS: readonly Gateway[] = buildGateways();

function buildGateways(): Gateway[] {
  const points = [...SITES.map((s) => s.location), ...ROUTES.flatMap((r) => r.waypoints.slice(1, -1))];
  const seen = new Map<string, Gateway>();
  for (const p of points) {
    const key = `${p.lat.toFixed(3)},${p.lon.toFixed(3)}`;
    if (seen.has(key)) continue;
    const latCode = Math.round(p.lat * 1000)
      .toString(16)
      .padStart(5, '0');
    const lonCode = Math.round(p.lon * 1000)
      .toString(16)
      .padStart(5, '0');
    seen.set(key, { eui: `b827eb${latCode}${lonCode}`, location: p });
  }
  return [...seen.values()];
}

/**
 * Log-distance path loss for 868 MHz in open country with 14 dBm out:
 * RSSI = 14 − (120 + 10·n·log10(d km)) + shadowing, n = 2.8, shadowing σ = 4 dB.
 * SNR = RSSI − noise floor (−117 dBm for 125 kHz), clamped at +10 dB like real radios report.
 */
export function receive(prng: Prng, gateway: Gateway, distanceKm: number): Reception {
  const d = Math.max(0.05, distanceKm);
  const rssi = Math.round(14 - (120 + 28 * Math.log10(d)) + prng.normal(0, 4));
  const snr = Math.round(Math.min(10, rssi + 117 + prng.normal(0, 1)) * 10) / 10;
  return { gateway, rssi, snr };
}

/** Demodulation floor by spreading factor, dB SNR (Semtech SX1276 datasheet). */
const SNR_FLOOR: Record<number, number> = { 7: -7.5, 8: -10, 9: -12.5, 10: -15, 11: -17.5, 12: -20 };

/** Gateways within hearing distance, best first, and the spreading factor ADR would pick. */
export function hearing(prng: Prng, from: GeoPoint): { receptions: Reception[]; spreadingFactor: number } {
  const near: { gateway: Gateway; km: number }[] = [];
  for (const gateway of GATEWAYS) {
    const km = haversineKm(from, gateway.location);
    if (km < 25) near.push({ gateway, km });
  }
  near.sort((a, b) => a.km - b.km);
  const receptions = near.slice(0, 4).map((n) => receive(prng, n.gateway, n.km));
  if (receptions.length === 0 || receptions[0].snr < SNR_FLOOR[12]) {
    // Between our towers an operator's gateway always hears the truck: coverage holes would
    // lose frames in every scenario, and only `lora-chaos` promises frame loss.
    const km = prng.range(2, 6);
    receptions.unshift(receive(prng, operatorGateway(from), km));
  }
  receptions.sort((a, b) => b.snr - a.snr);
  const best = receptions[0].snr;
  let spreadingFactor = 12;
  for (const sf of [7, 8, 9, 10, 11, 12]) {
    // ADR keeps a 10 dB margin above the floor where it can.
    if (best - 10 >= SNR_FLOOR[sf]) {
      spreadingFactor = sf;
      break;
    }
  }
  const heard = receptions.filter((r) => r.snr >= SNR_FLOOR[spreadingFactor]);
  return { receptions: heard.length > 0 ? heard : receptions.slice(0, 1), spreadingFactor };
}

function operatorGateway(near: GeoPoint): Gateway {
  const lat = Math.round(near.lat * 20) / 20;
  const lon = Math.round(near.lon * 20) / 20;
  const code = `${Math.round(lat * 100)
    .toString(16)
    .padStart(4, '0')}${Math.round(lon * 100)
    .toString(16)
    .padStart(4, '0')}`;
  return { eui: `0016c001${code}`, location: { lat, lon, altM: 0 } };
}
