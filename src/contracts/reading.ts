/**
 * The canonical Reading (ARCHITECTURE.md §4) and the native JSON payload devices send (§3).
 * Times are epoch milliseconds (UTC) everywhere inside convoi.
 */

/** Which wire format a reading arrived in. */
export type ReadingSource = 'json' | 'chirpstack' | 'tts';

export const READING_SOURCES: readonly ReadingSource[] = ['json', 'chirpstack', 'tts'];

/** Radio and transport quality of one reading. */
export interface ReadingQuality {
  /** LoRaWAN uplink frame counter. */
  fCnt?: number;
  /** LoRaWAN FPort of the uplink. */
  fPort?: number;
  /** Number of gateways that heard the uplink. */
  gateways?: number;
  /** Best RSSI among gateways, dBm. */
  rssi?: number;
  /** Best SNR among gateways, dB. */
  snr?: number;
  /** receivedAt − measuredAt, milliseconds. */
  lagMs: number;
  /** True when measuredAt is older than the late threshold (buffered upload, held frame). */
  late: boolean;
}

/** The measured values a reading may carry. At least one is present in an accepted reading. */
export interface Measurements {
  /** Temperature, °C (−50…+85). */
  temperatureC?: number;
  /** Relative humidity, % (0…100). */
  humidityPct?: number;
  /** Peak acceleration (shock), g (0…200). */
  shockG?: number;
  /** Latitude, degrees WGS84. */
  lat?: number;
  /** Longitude, degrees WGS84. */
  lon?: number;
  /** Altitude, metres. */
  altM?: number;
  /** Battery, % (0…100). */
  batteryPct?: number;
  /** Door state, true when open. */
  doorOpen?: boolean;
}

/** Names of the measured values, in a fixed order (storage columns, field allow-lists). */
export const MEASUREMENT_KEYS = [
  'temperatureC',
  'humidityPct',
  'shockG',
  'lat',
  'lon',
  'altM',
  'batteryPct',
  'doorOpen',
] as const satisfies readonly (keyof Measurements)[];

export type MeasurementKey = (typeof MEASUREMENT_KEYS)[number];

/** A decoded, validated reading, before it is attributed to a container. */
export interface DecodedReading extends Measurements {
  deviceId: string;
  /** Device time, epoch ms (else the network server's time, else receivedAt). */
  measuredAt: number;
  /** Our reception time, epoch ms. */
  receivedAt: number;
  source: ReadingSource;
  /** Device sequence number, when the device sends one. */
  seq?: number;
  /**
   * Idempotency key: the same key means the same uplink (ARCHITECTURE.md §4). For native JSON it is
   * the reading's identity, device and measuredAt.
   */
  dedupeKey: string;
  quality: ReadingQuality;
}

/** A reading attributed to the container (and shipment) its device was on at measuredAt. */
export interface Reading extends DecodedReading {
  containerId: string;
  shipmentId?: string;
  /** Product profile of the active shipment (an InfluxDB tag: a bounded set). */
  profileId?: string;
  /** The container's home site (an InfluxDB tag: a bounded set). */
  siteId?: string;
}

/**
 * Native JSON reading as published on `v1/devices/{deviceId}/telemetry` (ARCHITECTURE.md §3).
 * A message is one such object or an array of them (a buffered batch).
 */
export interface NativeReadingPayload {
  /** ISO-8601 with a zone, or epoch milliseconds. */
  ts: string | number;
  /** Monotonic sequence number (uint32), optional. */
  seq?: number;
  /** °C */
  temperature?: number;
  /** %RH */
  humidity?: number;
  /** Peak g. */
  shock?: number;
  /** Per-axis acceleration, g. */
  accel?: { x: number; y: number; z: number };
  lat?: number;
  lon?: number;
  /** Metres. */
  alt?: number;
  /** Percent. */
  battery?: number;
  door?: 'open' | 'closed';
}

/** Physical bounds accepted for each value (ARCHITECTURE.md §4). */
export const READING_BOUNDS = {
  temperatureC: { min: -50, max: 85 },
  humidityPct: { min: 0, max: 100 },
  shockG: { min: 0, max: 200 },
  lat: { min: -90, max: 90 },
  lon: { min: -180, max: 180 },
  altM: { min: -500, max: 10000 },
  batteryPct: { min: 0, max: 100 },
  /** A measuredAt further in the future than this is rejected. */
  futureToleranceMs: 5 * 60_000,
  /** A measuredAt older than this (vs receivedAt) is accepted and flagged late. */
  lateAfterMs: 2 * 60_000,
} as const;
