import { LPP_TYPE_IDS } from '#src/ingestion/codecs/cayenne-lpp.codec.js';
import type { LppType } from '#src/ingestion/codecs/cayenne-lpp.types.js';
import type { ChannelMap, ChannelTarget } from './device-lookup.js';

const TARGETS: ReadonlySet<string> = new Set<ChannelTarget>([
  'temperatureC',
  'humidityPct',
  'shockG',
  'altM',
  'batteryPct',
  'doorOpen',
  'position',
  'measuredAt',
  'ignore',
]);

/**
 * Checks a channel map as stored in the registry (string keys and values, from JSON or a REST
 * body) and returns the typed map the decoders use, or why it is wrong. Run it when a device is
 * registered, not per uplink.
 */
export function parseChannelMap(raw: {
  channels?: Readonly<Record<string, string>>;
  types?: Readonly<Record<string, string>>;
  battery?: { emptyV: number; fullV: number };
}): { ok: true; map: ChannelMap } | { ok: false; detail: string } {
  const channels: Partial<Record<number, ChannelTarget>> = {};
  for (const [key, target] of Object.entries(raw.channels ?? {})) {
    const channel = /^\d{1,3}$/.test(key) ? Number(key) : -1;
    if (channel < 0 || channel > 255) return { ok: false, detail: `channel ${key} is not in 0…255` };
    if (!TARGETS.has(target)) return { ok: false, detail: `channel ${key}: unknown target ${target}` };
    channels[channel] = target as ChannelTarget;
  }
  const types: Partial<Record<LppType, ChannelTarget>> = {};
  for (const [type, target] of Object.entries(raw.types ?? {})) {
    if (!Object.hasOwn(LPP_TYPE_IDS, type)) return { ok: false, detail: `unknown Cayenne LPP type ${type}` };
    if (!TARGETS.has(target)) return { ok: false, detail: `type ${type}: unknown target ${target}` };
    types[type as LppType] = target as ChannelTarget;
  }
  const map: ChannelMap = { channels, types };
  if (raw.battery !== undefined) {
    const { emptyV, fullV } = raw.battery;
    if (!Number.isFinite(emptyV) || !Number.isFinite(fullV) || !(fullV > emptyV) || emptyV < 0) {
      return { ok: false, detail: `battery curve needs 0 ≤ emptyV < fullV, got ${emptyV}…${fullV}` };
    }
    map.battery = { emptyV, fullV };
  }
  return { ok: true, map };
}
