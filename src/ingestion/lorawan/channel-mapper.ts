import type { Measurements } from '#src/contracts/reading.js';
import type { LppValue } from '#src/ingestion/codecs/cayenne-lpp.types.js';
import { DEFAULT_BATTERY_VOLTS, type ChannelMap } from './device-lookup.js';

/** Measurements of one uplink plus the device's own time, when it sent one. */
export interface MappedValues extends Measurements {
  /** Epoch ms from a unix-time channel. */
  measuredAt?: number;
}

/**
 * Device clocks before this are taken as "never set" (RTC reset to 1970 after a battery swap):
 * such a time is dropped so the network server's time is used instead of storing 1970 points.
 */
export const MIN_DEVICE_TIME_S = Date.UTC(2020, 0, 1) / 1000;

/**
 * Applies a channel map to decoded Cayenne LPP values, writing into `out`. Returns undefined, or
 * the detail of why the map does not fit the frame (a 3-axis value mapped to a scalar field...).
 */
export function applyChannelMap(
  values: readonly LppValue[],
  map: ChannelMap,
  out: MappedValues,
): string | undefined {
  let batteryFromVolts = false;
  for (let i = 0; i < values.length; i++) {
    const item = values[i];
    const target = map.channels?.[item.channel] ?? map.types?.[item.type];
    if (target === undefined || target === 'ignore') continue;
    if (item.type === 'gps') {
      if (target === 'position') {
        if (out.lat === undefined) {
          out.lat = item.value.lat;
          out.lon = item.value.lon;
          out.altM ??= item.value.altM;
        }
        continue;
      }
      if (target === 'altM') {
        out.altM ??= item.value.altM;
        continue;
      }
      return misfit(item, target);
    }
    if (item.type === 'accelerometer' || item.type === 'gyrometer') {
      if (target !== 'shockG') return misfit(item, target);
      const { x, y, z } = item.value;
      out.shockG ??= Math.round(Math.sqrt(x * x + y * y + z * z) * 1000) / 1000;
      continue;
    }
    const value = item.value;
    if (typeof value !== 'number') return misfit(item, target);
    switch (target) {
      case 'position':
        return misfit(item, target);
      case 'batteryPct':
        if (item.type === 'voltage') {
          if (out.batteryPct === undefined) {
            out.batteryPct = voltsToPercent(value, map.battery ?? DEFAULT_BATTERY_VOLTS);
            batteryFromVolts = true;
          }
        } else if (out.batteryPct === undefined || batteryFromVolts) {
          out.batteryPct = value;
          batteryFromVolts = false;
        }
        break;
      case 'doorOpen':
        out.doorOpen ??= value !== 0;
        break;
      case 'measuredAt':
        if (out.measuredAt === undefined && value >= MIN_DEVICE_TIME_S) out.measuredAt = value * 1000;
        break;
      default:
        out[target] ??= value;
    }
  }
  return undefined;
}

function voltsToPercent(volts: number, curve: { emptyV: number; fullV: number }): number {
  const fraction = (volts - curve.emptyV) / (curve.fullV - curve.emptyV);
  return Math.round(Math.min(1, Math.max(0, fraction)) * 100);
}

function misfit(item: LppValue, target: string): string {
  return `channel ${item.channel} (${item.type}) cannot map to ${target}`;
}
