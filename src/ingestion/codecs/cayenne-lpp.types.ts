/**
 * Cayenne LPP data types convoi supports (ARCHITECTURE.md §3): id, size in bytes, resolution.
 * Values are big-endian; multi-axis and GPS types carry objects.
 */
export type LppType =
  | 'digitalInput' // 0, 1 B, 1, unsigned
  | 'digitalOutput' // 1, 1 B, 1, unsigned
  | 'analogInput' // 2, 2 B, 0.01, signed
  | 'analogOutput' // 3, 2 B, 0.01, signed
  | 'illuminance' // 101, 2 B, 1 lux, unsigned
  | 'presence' // 102, 1 B, 1, unsigned
  | 'temperature' // 103, 2 B, 0.1 °C, signed
  | 'humidity' // 104, 1 B, 0.5 %, unsigned
  | 'accelerometer' // 113, 6 B, 0.001 g per axis, signed
  | 'barometer' // 115, 2 B, 0.1 hPa, unsigned
  | 'voltage' // 116, 2 B, 0.01 V, unsigned
  | 'percentage' // 120, 1 B, 1 %, unsigned
  | 'altitude' // 121, 2 B, 1 m, signed
  | 'unixTime' // 133, 4 B, 1 s, unsigned
  | 'gyrometer' // 134, 6 B, 0.01 °/s per axis, signed
  | 'gps'; // 136, 9 B: lat 3 B 0.0001°, lon 3 B 0.0001°, alt 3 B 0.01 m, signed

export interface Xyz {
  x: number;
  y: number;
  z: number;
}

export interface GpsFix {
  lat: number;
  lon: number;
  altM: number;
}

/** One decoded (or to-be-encoded) Cayenne LPP value. */
export type LppValue =
  | { channel: number; type: Exclude<LppType, 'accelerometer' | 'gyrometer' | 'gps'>; value: number }
  | { channel: number; type: 'accelerometer' | 'gyrometer'; value: Xyz }
  | { channel: number; type: 'gps'; value: GpsFix };

/** Decoding either yields every value of the frame or names the byte offset and type that failed. */
export type LppDecodeResult =
  { ok: true; values: LppValue[] } | { ok: false; offset: number; typeId?: number; reason: string };
