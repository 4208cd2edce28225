import { registerDecorator, type ValidationOptions } from 'class-validator';

/** Where a Cayenne LPP value may go (the LoRaWAN decoders' `ChannelTarget`). */
export const CHANNEL_TARGETS = [
  'temperatureC',
  'humidityPct',
  'shockG',
  'altM',
  'batteryPct',
  'doorOpen',
  'position',
  'measuredAt',
  'ignore',
] as const;

/** Cayenne LPP type names (src/ingestion/codecs/cayenne-lpp.types.ts). */
export const LPP_TYPE_NAMES = [
  'digitalInput',
  'digitalOutput',
  'analogInput',
  'analogOutput',
  'illuminance',
  'presence',
  'temperature',
  'humidity',
  'accelerometer',
  'barometer',
  'voltage',
  'percentage',
  'altitude',
  'unixTime',
  'gyrometer',
  'gps',
] as const;

const TOP_KEYS = new Set(['channels', 'types', 'battery']);

/**
 * Why `value` is not a channel map, or undefined: an object with only `channels` (keys 0–255),
 * `types` (keys LPP type names) — both mapping to a {@link CHANNEL_TARGETS} entry — and `battery`
 * `{emptyV, fullV}` volts with emptyV < fullV. Own keys only: `__proto__` is refused.
 */
export function channelMapProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'must be an object';
  for (const key of Object.keys(value)) if (!TOP_KEYS.has(key)) return `has an unknown key ${key}`;
  const { channels, types, battery } = value;
  const targets = (map: unknown, keyOk: (k: string) => boolean, what: string): string | undefined => {
    if (map === undefined) return undefined;
    if (!isPlainObject(map)) return `${what} must be an object`;
    for (const [k, v] of Object.entries(map)) {
      if (!keyOk(k)) return `${what} has an invalid key ${k}`;
      if (!(CHANNEL_TARGETS as readonly unknown[]).includes(v))
        return `${what}.${k} must be one of ${CHANNEL_TARGETS.join(', ')}`;
    }
    return undefined;
  };
  const problem =
    targets(channels, (k) => /^(\d|[1-9]\d|1\d\d|2[0-4]\d|25[0-5])$/.test(k), 'channels') ??
    targets(types, (k) => (LPP_TYPE_NAMES as readonly string[]).includes(k), 'types');
  if (problem) return problem;
  if (battery !== undefined) {
    if (!isPlainObject(battery)) return 'battery must be {emptyV, fullV}';
    const { emptyV, fullV } = battery;
    if (Object.keys(battery).some((k) => k !== 'emptyV' && k !== 'fullV'))
      return 'battery has an unknown key';
    if (
      typeof emptyV !== 'number' ||
      typeof fullV !== 'number' ||
      !(emptyV >= 0 && emptyV < fullV && fullV <= 50)
    )
      return 'battery must be {emptyV, fullV} volts with 0 <= emptyV < fullV <= 50';
  }
  return undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype
  );
}

export function IsChannelMap(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isChannelMap',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => channelMapProblem(value) === undefined,
        defaultMessage: (args) =>
          `${args?.property ?? 'channelMap'} ${channelMapProblem(args?.value) ?? 'is invalid'}`,
      },
    });
}
