import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceLookup, LoraDevice } from './device-lookup.js';

/**
 * Test support for the LoRaWAN decoders (only specs and benches import it): the network servers'
 * docs samples from `test/fixtures/lorawan/`, an in-memory device lookup, and the three
 * field shapes seen in the wild.
 */
export type Json = Record<string, unknown>;

export function loadLorawanFixture(name: string): Json {
  const dir = join(process.cwd(), 'test', 'fixtures', 'lorawan');
  return JSON.parse(readFileSync(join(dir, name), 'utf8')) as Json;
}

export class InMemoryDeviceLookup implements DeviceLookup {
  private readonly byEui = new Map<string, LoraDevice>();
  private readonly byId = new Map<string, LoraDevice>();

  constructor(devices: readonly LoraDevice[]) {
    for (const device of devices) {
      if (device.devEui !== undefined) this.byEui.set(device.devEui, device);
      this.byId.set(device.deviceId, device);
    }
  }

  byDevEui(devEui: string): LoraDevice | undefined {
    return this.byEui.get(devEui);
  }

  byDeviceId(id: string): LoraDevice | undefined {
    return this.byId.get(id);
  }
}

/** ChirpStack 4.0 / TTS shape: every field holding a default value (0, false, "", null, {}, []) left out. */
export function omitDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(omitDefaults);
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    const kept = omitDefaults(v);
    if (isDefault(kept)) continue;
    out[key] = kept;
  }
  return out;
}

function isDefault(v: unknown): boolean {
  if (v === null || v === 0 || v === false || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

/** Sets `path` (dot-separated, numeric parts index arrays) in a deep copy when it is absent. */
export function withFields(value: Json, fields: Readonly<Record<string, unknown>>, overwrite = false): Json {
  const copy = structuredClone(value);
  for (const [path, v] of Object.entries(fields)) {
    const parts = path.split('.');
    let node = copy as Record<string, unknown>;
    for (const part of parts.slice(0, -1)) {
      node[part] ??= {};
      node = node[part] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1];
    if (overwrite || !(last in node)) node[last] = v;
  }
  return copy;
}

export function toPayload(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}
