import type { GpsFix, LppDecodeResult, LppType, LppValue, Xyz } from './cayenne-lpp.types.js';

/** Wire id of each supported type (ARCHITECTURE.md §3). */
export const LPP_TYPE_IDS: Readonly<Record<LppType, number>> = {
  digitalInput: 0,
  digitalOutput: 1,
  analogInput: 2,
  analogOutput: 3,
  illuminance: 101,
  presence: 102,
  temperature: 103,
  humidity: 104,
  accelerometer: 113,
  barometer: 115,
  voltage: 116,
  percentage: 120,
  altitude: 121,
  unixTime: 133,
  gyrometer: 134,
  gps: 136,
};

/** Value bytes of each type, by wire id (the channel and type bytes come on top). */
const VALUE_SIZES: Readonly<Record<number, number>> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  101: 2,
  102: 1,
  103: 2,
  104: 1,
  113: 6,
  115: 2,
  116: 2,
  120: 1,
  121: 2,
  133: 4,
  134: 6,
  136: 9,
};

const TYPE_NAMES: Readonly<Record<number, LppType>> = Object.fromEntries(
  Object.entries(LPP_TYPE_IDS).map(([name, id]) => [id, name as LppType]),
);

/**
 * Decodes a Cayenne LPP frame. Every byte must belong to a complete `[channel][type][value]`
 * record of a known type: anything else is refused with the record's byte offset, never guessed.
 * Scaled values are divided (not multiplied by 0.1) so that 215 decodes to exactly 21.5.
 */
export function decodeCayenneLpp(bytes: Uint8Array): LppDecodeResult {
  const values: LppValue[] = [];
  const end = bytes.length;
  let i = 0;
  while (i < end) {
    if (i + 1 >= end) {
      return {
        ok: false,
        offset: i,
        reason: `truncated Cayenne LPP frame: channel byte at offset ${i} has no type`,
      };
    }
    const channel = bytes[i];
    const typeId = bytes[i + 1];
    const size = VALUE_SIZES[typeId];
    if (size === undefined) {
      return {
        ok: false,
        offset: i,
        typeId,
        reason: `unknown Cayenne LPP type ${typeId} at offset ${i} (channel ${channel})`,
      };
    }
    const v = i + 2;
    if (v + size > end) {
      return {
        ok: false,
        offset: i,
        typeId,
        reason:
          `truncated Cayenne LPP frame: ${TYPE_NAMES[typeId]} (type ${typeId}) at offset ${i} ` +
          `needs ${size} value bytes, ${end - v} left`,
      };
    }
    switch (typeId) {
      case 0:
        values.push({ channel, type: 'digitalInput', value: bytes[v] });
        break;
      case 1:
        values.push({ channel, type: 'digitalOutput', value: bytes[v] });
        break;
      case 2:
        values.push({ channel, type: 'analogInput', value: s16(bytes, v) / 100 });
        break;
      case 3:
        values.push({ channel, type: 'analogOutput', value: s16(bytes, v) / 100 });
        break;
      case 101:
        values.push({ channel, type: 'illuminance', value: u16(bytes, v) });
        break;
      case 102:
        values.push({ channel, type: 'presence', value: bytes[v] });
        break;
      case 103:
        values.push({ channel, type: 'temperature', value: s16(bytes, v) / 10 });
        break;
      case 104:
        values.push({ channel, type: 'humidity', value: bytes[v] / 2 });
        break;
      case 113:
        values.push({ channel, type: 'accelerometer', value: xyz(bytes, v, 1000) });
        break;
      case 115:
        values.push({ channel, type: 'barometer', value: u16(bytes, v) / 10 });
        break;
      case 116:
        values.push({ channel, type: 'voltage', value: u16(bytes, v) / 100 });
        break;
      case 120:
        values.push({ channel, type: 'percentage', value: bytes[v] });
        break;
      case 121:
        values.push({ channel, type: 'altitude', value: s16(bytes, v) });
        break;
      case 133:
        values.push({ channel, type: 'unixTime', value: u32(bytes, v) });
        break;
      case 134:
        values.push({ channel, type: 'gyrometer', value: xyz(bytes, v, 100) });
        break;
      default: {
        const fix: GpsFix = {
          lat: s24(bytes, v) / 10000,
          lon: s24(bytes, v + 3) / 10000,
          altM: s24(bytes, v + 6) / 100,
        };
        values.push({ channel, type: 'gps', value: fix });
      }
    }
    i = v + size;
  }
  return { ok: true, values };
}

/**
 * Encodes values as one Cayenne LPP frame. Each value is rounded to its type's resolution; a value
 * that does not fit its field (or is not finite, or a channel outside 0…255) throws a RangeError
 * naming it, so a simulator bug never becomes a silently wrapped number on the wire.
 */
export function encodeCayenneLpp(values: readonly LppValue[]): Buffer {
  let length = 0;
  for (const item of values) {
    const typeId = LPP_TYPE_IDS[item.type] as number | undefined;
    if (typeId === undefined) throw new RangeError(`unknown Cayenne LPP type ${String(item.type)}`);
    length += 2 + VALUE_SIZES[typeId];
  }
  const out = Buffer.allocUnsafe(length);
  let o = 0;
  for (let n = 0; n < values.length; n++) {
    const item = values[n];
    const typeId = LPP_TYPE_IDS[item.type];
    if (!Number.isInteger(item.channel) || item.channel < 0 || item.channel > 255) {
      throw new RangeError(`value ${n}: channel ${item.channel} is not an integer in 0…255`);
    }
    out[o] = item.channel;
    out[o + 1] = typeId;
    const v = o + 2;
    const where = `value ${n} (${item.type}, channel ${item.channel})`;
    switch (item.type) {
      case 'digitalInput':
      case 'digitalOutput':
      case 'presence':
      case 'percentage':
        out[v] = scaled(item.value, 1, 0, 0xff, where);
        break;
      case 'humidity':
        out[v] = scaled(item.value, 2, 0, 0xff, where);
        break;
      case 'analogInput':
      case 'analogOutput':
        out.writeInt16BE(scaled(item.value, 100, -0x8000, 0x7fff, where), v);
        break;
      case 'temperature':
        out.writeInt16BE(scaled(item.value, 10, -0x8000, 0x7fff, where), v);
        break;
      case 'altitude':
        out.writeInt16BE(scaled(item.value, 1, -0x8000, 0x7fff, where), v);
        break;
      case 'illuminance':
        out.writeUInt16BE(scaled(item.value, 1, 0, 0xffff, where), v);
        break;
      case 'barometer':
        out.writeUInt16BE(scaled(item.value, 10, 0, 0xffff, where), v);
        break;
      case 'voltage':
        out.writeUInt16BE(scaled(item.value, 100, 0, 0xffff, where), v);
        break;
      case 'unixTime':
        out.writeUInt32BE(scaled(item.value, 1, 0, 0xffffffff, where), v);
        break;
      case 'accelerometer':
        writeXyz(out, v, item.value, 1000, where);
        break;
      case 'gyrometer':
        writeXyz(out, v, item.value, 100, where);
        break;
      case 'gps':
        out.writeIntBE(scaled(item.value.lat, 10000, -0x800000, 0x7fffff, `${where} lat`), v, 3);
        out.writeIntBE(scaled(item.value.lon, 10000, -0x800000, 0x7fffff, `${where} lon`), v + 3, 3);
        out.writeIntBE(scaled(item.value.altM, 100, -0x800000, 0x7fffff, `${where} altM`), v + 6, 3);
        break;
    }
    o = v + VALUE_SIZES[typeId];
  }
  return out;
}

function u16(b: Uint8Array, i: number): number {
  return (b[i] << 8) | b[i + 1];
}

function s16(b: Uint8Array, i: number): number {
  return (((b[i] << 8) | b[i + 1]) << 16) >> 16;
}

function s24(b: Uint8Array, i: number): number {
  return (((b[i] << 16) | (b[i + 1] << 8) | b[i + 2]) << 8) >> 8;
}

function u32(b: Uint8Array, i: number): number {
  // Multiplication keeps the top byte unsigned (a shift by 24 would go negative past 2^31).
  return b[i] * 0x1000000 + ((b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]);
}

function xyz(b: Uint8Array, i: number, divisor: number): Xyz {
  return { x: s16(b, i) / divisor, y: s16(b, i + 2) / divisor, z: s16(b, i + 4) / divisor };
}

function writeXyz(out: Buffer, v: number, value: Xyz, factor: number, where: string): void {
  out.writeInt16BE(scaled(value.x, factor, -0x8000, 0x7fff, `${where} x`), v);
  out.writeInt16BE(scaled(value.y, factor, -0x8000, 0x7fff, `${where} y`), v + 2);
  out.writeInt16BE(scaled(value.z, factor, -0x8000, 0x7fff, `${where} z`), v + 4);
}

function scaled(value: number, factor: number, min: number, max: number, where: string): number {
  const raw = Math.round(value * factor);
  if (!Number.isFinite(raw) || raw < min || raw > max) {
    throw new RangeError(`${where}: ${value} does not fit (${min / factor} … ${max / factor})`);
  }
  // -0 would be written as 0 anyway; normalise so callers comparing raw values see 0.
  return raw === 0 ? 0 : raw;
}
