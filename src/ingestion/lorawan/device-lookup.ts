import type { MeasurementKey } from '#src/contracts/reading.js';
import type { LppType } from '#src/ingestion/codecs/cayenne-lpp.types.js';

/**
 * Where one Cayenne LPP value goes in the canonical reading:
 * - a scalar measurement (`temperatureC`, `humidityPct`, `batteryPct`, `altM`, `shockG`);
 * - `shockG` also takes a 3-axis value, as its vector magnitude;
 * - `position` takes a GPS fix and fills `lat`, `lon` and `altM`;
 * - `doorOpen` takes a scalar, non-zero meaning open;
 * - `measuredAt` takes a scalar in unix seconds;
 * - `ignore` drops the value (a channel the device sends that convoi does not store).
 */
export type ChannelTarget = Exclude<MeasurementKey, 'lat' | 'lon'> | 'position' | 'measuredAt' | 'ignore';

/**
 * Per device model (a small table in the registry): how a frame's values become a reading.
 * A channel entry wins over a type entry; values matching neither are ignored. When two values
 * land on the same field the first in the frame wins, except that a battery percentage always
 * wins over a battery derived from voltage.
 */
export interface ChannelMap {
  channels?: Readonly<Partial<Record<number, ChannelTarget>>>;
  types?: Readonly<Partial<Record<LppType, ChannelTarget>>>;
  /**
   * Voltage read as battery level: linear between `emptyV` (0 %) and `fullV` (100 %), clamped,
   * rounded to whole percent. A rough gauge on purpose: the point is "battery low" alerts.
   */
  battery?: { emptyV: number; fullV: number };
}

/**
 * Default battery curve: a 3.6 V lithium primary cell (Li-SOCl2, the usual cell in cold-chain
 * LoRa sensors) read as empty at 3.0 V, the usual brown-out point of those sensors.
 */
export const DEFAULT_BATTERY_VOLTS = { emptyV: 3.0, fullV: 3.6 } as const;

/** ARCHITECTURE.md §3 default mapping, used for every device without a map of its own. */
export const DEFAULT_CHANNEL_MAP: ChannelMap = {
  types: {
    temperature: 'temperatureC',
    humidity: 'humidityPct',
    accelerometer: 'shockG',
    gps: 'position',
    percentage: 'batteryPct',
    voltage: 'batteryPct',
    unixTime: 'measuredAt',
  },
  battery: DEFAULT_BATTERY_VOLTS,
};

/** A registered LoRaWAN (or native) device, as the decoders need to see it. */
export interface LoraDevice {
  deviceId: string;
  /** Lower-case EUI-64, 16 hex digits. */
  devEui?: string;
  format: 'json' | 'chirpstack' | 'tts';
  /** Present when convoi decodes this device's bytes with its own mapping. */
  channelMap?: ChannelMap;
  /**
   * The network-server application the device belongs to (ChirpStack application id, TTS
   * `{appId}@{tenantId}`): an uplink on another application's topic is refused. Unset: any.
   */
  application?: string;
}

/** Device resolution for the decoders; lookups must be synchronous and cheap (an in-memory index). */
export interface DeviceLookup {
  /** `devEui` is lower-case. */
  byDevEui(devEui: string): LoraDevice | undefined;
  byDeviceId(id: string): LoraDevice | undefined;
}
