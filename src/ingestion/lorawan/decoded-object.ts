import type { LppType, LppValue, Xyz } from '#src/ingestion/codecs/cayenne-lpp.types.js';
import { applyChannelMap, type MappedValues } from './channel-mapper.js';
import { DEFAULT_CHANNEL_MAP } from './device-lookup.js';
import { EnvelopeError, isObject, optNumber, optString, type JsonObject } from './envelope-reader.js';

/** More keys than any real decoded payload; refuses 10 000-key objects without walking them. */
const MAX_KEYS = 256;

/** Sensor names of The Things Stack's Cayenne LPP formatter (`temperature_3`). */
const TTS_NAMES: Readonly<Record<string, LppType>> = {
  digital_input: 'digitalInput',
  digital_output: 'digitalOutput',
  analog_input: 'analogInput',
  analog_output: 'analogOutput',
  luminosity: 'illuminance',
  presence: 'presence',
  temperature: 'temperature',
  relative_humidity: 'humidity',
  accelerometer: 'accelerometer',
  barometric_pressure: 'barometer',
  gyrometer: 'gyrometer',
  gps: 'gps',
  voltage: 'voltage',
  percentage: 'percentage',
  altitude: 'altitude',
  unix_time: 'unixTime',
};

/** Object keys of ChirpStack's Cayenne LPP codec (`{"temperatureSensor": {"3": 21.5}}`). */
const CHIRPSTACK_NAMES: Readonly<Record<string, LppType>> = {
  digitalInput: 'digitalInput',
  digitalOutput: 'digitalOutput',
  analogInput: 'analogInput',
  analogOutput: 'analogOutput',
  illuminanceSensor: 'illuminance',
  presenceSensor: 'presence',
  temperatureSensor: 'temperature',
  humiditySensor: 'humidity',
  accelerometer: 'accelerometer',
  barometer: 'barometer',
  gyrometer: 'gyrometer',
  gpsLocation: 'gps',
};

const TTS_KEY = /^([a-z_]+)_(\d{1,3})$/;
const CHANNEL_KEY = /^\d{1,3}$/;

/**
 * Reads a payload the network server already decoded (`object` / `decoded_payload`) into
 * measurements. Understood: the field names of convoi's native JSON (`temperature`, `humidity`,
 * `shock`, `accel`, `lat`, `lon`, `alt`, `battery`, `door`), and the output of both servers'
 * Cayenne LPP formatters, which then goes through the default channel map. Unknown keys are
 * ignored; a known key of the wrong type is refused (no coercion of "4.5").
 */
export function readDecodedObject(obj: JsonObject, path: string, out: MappedValues): void {
  const keys = Object.keys(obj);
  if (keys.length > MAX_KEYS)
    throw new EnvelopeError('schema', `${path} has ${keys.length} keys, more than ${MAX_KEYS}`);
  readNativeFields(obj, path, out);
  const values: LppValue[] = [];
  for (const key of keys) {
    const csType = CHIRPSTACK_NAMES[key] as LppType | undefined;
    if (csType !== undefined && Object.hasOwn(CHIRPSTACK_NAMES, key)) {
      readChannels(obj[key], csType, `${path}.${key}`, values, out);
      continue;
    }
    const match = TTS_KEY.exec(key);
    if (match === null || !Object.hasOwn(TTS_NAMES, match[1])) continue;
    const channel = Number(match[2]);
    if (channel > 255) continue;
    const value = toLppValue(obj[key], TTS_NAMES[match[1]], channel, `${path}.${key}`, out);
    if (value !== undefined) values.push(value);
  }
  const misfit = applyChannelMap(values, DEFAULT_CHANNEL_MAP, out);
  if (misfit !== undefined) throw new EnvelopeError('codec', misfit);
}

function readNativeFields(obj: JsonObject, path: string, out: MappedValues): void {
  const temperature = optNumber(obj, 'temperature', `${path}.temperature`);
  if (temperature !== undefined) out.temperatureC = temperature;
  const humidity = optNumber(obj, 'humidity', `${path}.humidity`);
  if (humidity !== undefined) out.humidityPct = humidity;
  const shock = optNumber(obj, 'shock', `${path}.shock`);
  if (shock !== undefined) out.shockG = shock;
  else if (obj.accel !== undefined && obj.accel !== null) {
    const { x, y, z } = readXyz(obj.accel, `${path}.accel`);
    out.shockG = Math.round(Math.sqrt(x * x + y * y + z * z) * 1000) / 1000;
  }
  const lat = optNumber(obj, 'lat', `${path}.lat`);
  if (lat !== undefined) out.lat = lat;
  const lon = optNumber(obj, 'lon', `${path}.lon`);
  if (lon !== undefined) out.lon = lon;
  const alt = optNumber(obj, 'alt', `${path}.alt`);
  if (alt !== undefined) out.altM = alt;
  const battery = optNumber(obj, 'battery', `${path}.battery`);
  if (battery !== undefined) out.batteryPct = battery;
  const door = optString(obj, 'door', `${path}.door`);
  if (door === 'open' || door === 'closed') out.doorOpen = door === 'open';
  else if (door !== undefined) throw new EnvelopeError('schema', `${path}.door must be "open" or "closed"`);
}

function readChannels(
  value: unknown,
  type: LppType,
  path: string,
  values: LppValue[],
  out: MappedValues,
): void {
  if (value === null || value === undefined) return;
  if (!isObject(value)) throw new EnvelopeError('schema', `${path} must be an object of channels`);
  for (const key of Object.keys(value)) {
    const channel = CHANNEL_KEY.test(key) ? Number(key) : 256;
    if (channel > 255)
      throw new EnvelopeError('schema', `${path} has a key that is no channel: ${key.slice(0, 20)}`);
    const item = toLppValue(value[key], type, channel, `${path}.${key}`, out);
    if (item !== undefined) values.push(item);
  }
}

/** Undefined when the value went straight to `out` (a fix without altitude: no 0 m invented). */
function toLppValue(
  value: unknown,
  type: LppType,
  channel: number,
  path: string,
  out: MappedValues,
): LppValue | undefined {
  if (type === 'accelerometer' || type === 'gyrometer') return { channel, type, value: readXyz(value, path) };
  if (type === 'gps') {
    if (!isObject(value)) throw new EnvelopeError('schema', `${path} must be an object`);
    const lat = optNumber(value, 'latitude', `${path}.latitude`);
    const lon = optNumber(value, 'longitude', `${path}.longitude`);
    if (lat === undefined || lon === undefined) {
      throw new EnvelopeError('schema', `${path} needs latitude and longitude`);
    }
    const altM = optNumber(value, 'altitude', `${path}.altitude`);
    if (altM !== undefined) return { channel, type, value: { lat, lon, altM } };
    if (out.lat === undefined) {
      out.lat = lat;
      out.lon = lon;
    }
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new EnvelopeError('schema', `${path} must be a finite number`);
  }
  return { channel, type, value };
}

function readXyz(value: unknown, path: string): Xyz {
  if (!isObject(value)) throw new EnvelopeError('schema', `${path} must be an object with x, y, z`);
  const x = optNumber(value, 'x', `${path}.x`);
  const y = optNumber(value, 'y', `${path}.y`);
  const z = optNumber(value, 'z', `${path}.z`);
  if (x === undefined || y === undefined || z === undefined) {
    throw new EnvelopeError('schema', `${path} needs x, y and z`);
  }
  return { x, y, z };
}
