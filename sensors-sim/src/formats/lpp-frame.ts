import { encodeCayenneLpp } from '#src/ingestion/codecs/cayenne-lpp.codec.js';
import type { LppValue } from '#src/ingestion/codecs/cayenne-lpp.types.js';
import type { SensorSample } from '../physics/sensor.model.js';

/** Cayenne LPP channels of the simulated logger (a fixed layout, like a real device model). */
export const LPP_CHANNELS = {
  temperature: 1,
  humidity: 2,
  accelerometer: 3,
  gps: 4,
  battery: 5,
  unixTime: 6,
} as const;

/** Accelerometer values are int16 in mg: ±32.767 g is all LPP can carry. */
const ACCEL_LIMIT_G = 32.767;

export function lppValues(sample: SensorSample): LppValue[] {
  const clampG = (g: number): number => Math.max(-ACCEL_LIMIT_G, Math.min(ACCEL_LIMIT_G, g));
  return [
    { channel: LPP_CHANNELS.temperature, type: 'temperature', value: sample.temperatureC },
    { channel: LPP_CHANNELS.humidity, type: 'humidity', value: sample.humidityPct },
    {
      channel: LPP_CHANNELS.accelerometer,
      type: 'accelerometer',
      value: {
        x: clampG(sample.shock.accel.x),
        y: clampG(sample.shock.accel.y),
        z: clampG(sample.shock.accel.z),
      },
    },
    {
      channel: LPP_CHANNELS.gps,
      type: 'gps',
      value: { lat: sample.position.lat, lon: sample.position.lon, altM: sample.position.altM },
    },
    { channel: LPP_CHANNELS.battery, type: 'percentage', value: Math.round(sample.batteryPct) },
    { channel: LPP_CHANNELS.unixTime, type: 'unixTime', value: Math.floor(sample.atMs / 1000) },
  ];
}

/** The uplink's FRMPayload bytes. */
export function lppFrame(sample: SensorSample): Buffer {
  return encodeCayenneLpp(lppValues(sample));
}
