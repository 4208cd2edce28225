import { Injectable, OnModuleInit } from '@nestjs/common';
import { normalizeDevEui } from '#src/contracts/identifiers.js';
import { READING_SOURCES } from '#src/contracts/reading.js';
import { FleetRepository } from './fleet.repository.js';
import type { Device, DeviceBinding } from './fleet.types.js';

/** One binding as the directory needs it: the device is the map key. */
export interface Binding {
  containerId: string;
  boundAt: number;
  unboundAt: number | undefined;
}

/**
 * In-memory index of devices and their bindings, read on every incoming message (hot path):
 * which device a DevEUI is, and which container a device was on at a given measuredAt, so a
 * reading measured before a rebind is attributed to the old container. Rebuilt from SQLite at
 * start and after a large import ({@link reload}), one device at a time after a change of it or a
 * page of an import ({@link refresh}).
 *
 * Memory (issue 11, 150,000 devices): devices are rebuilt as small literals sharing one id string
 * and one format string, and a device with a single binding (nearly all) holds it without an array.
 */
@Injectable()
export class DeviceDirectory implements OnModuleInit {
  private devicesById = new Map<string, Device>();
  private devicesByEui = new Map<string, Device>();
  /** Per device, its binding, or its bindings sorted by boundAt. */
  private bindings = new Map<string, Binding | Binding[]>();
  private readonly removedListeners: ((device: Device) => void)[] = [];

  constructor(private readonly repository: FleetRepository) {}

  onModuleInit(): void {
    this.reload();
  }

  reload(): void {
    const byId = new Map<string, Device>();
    const byEui = new Map<string, Device>();
    for (const row of this.repository.listDevices()) {
      const device = compact(row);
      byId.set(device.id, device);
      if (device.devEui) byEui.set(normalizeDevEui(device.devEui), device);
    }
    const bindings = new Map<string, Binding | Binding[]>();
    // Sorted by device then boundAt: each device's list is built in order.
    for (const b of this.repository.allBindings()) {
      const binding = held(b);
      const deviceId = byId.get(b.deviceId)?.id ?? b.deviceId;
      const known = bindings.get(deviceId);
      if (known === undefined) bindings.set(deviceId, binding);
      else if (Array.isArray(known)) known.push(binding);
      else bindings.set(deviceId, [known, binding]);
    }
    const previous = this.devicesById;
    this.devicesById = byId;
    this.devicesByEui = byEui;
    this.bindings = bindings;
    for (const [id, device] of previous) {
      const now = byId.get(id);
      if (now === undefined || now.devEui !== device.devEui)
        for (const listener of this.removedListeners) listener(device);
    }
  }

  /**
   * Re-reads one device and its bindings after it changed (created, changed, deleted, bound or
   * unbound), as {@link reload} would find them. A whole reload reads every device and binding:
   * ~1.5 s of the main thread at 150,000 devices, for each device registered or bound.
   */
  refresh(deviceId: string): void {
    const previous = this.devicesById.get(deviceId);
    const row = this.repository.findDevice(deviceId);
    const device = row === undefined ? undefined : compact(row);
    if (previous?.devEui && this.devicesByEui.get(normalizeDevEui(previous.devEui)) === previous)
      this.devicesByEui.delete(normalizeDevEui(previous.devEui));
    if (device === undefined) this.devicesById.delete(deviceId);
    else {
      this.devicesById.set(device.id, device);
      if (device.devEui) this.devicesByEui.set(normalizeDevEui(device.devEui), device);
    }
    const bindings = this.repository.bindingsOf(deviceId).map(held);
    if (bindings.length === 0) this.bindings.delete(deviceId);
    else this.bindings.set(device?.id ?? deviceId, bindings.length === 1 ? bindings[0] : bindings);
    if (previous !== undefined && (device === undefined || device.devEui !== previous.devEui))
      for (const listener of this.removedListeners) listener(previous);
  }

  /**
   * Calls `listener` with each device a reload no longer finds (deleted) or finds with another
   * DevEUI (another radio under the same id): state kept per device (frame counters, idempotency
   * keys) must then be forgotten, or a device re-created under the same id inherits it.
   */
  onRemoved(listener: (device: Device) => void): void {
    this.removedListeners.push(listener);
  }

  byId(deviceId: string): Device | undefined {
    return this.devicesById.get(deviceId);
  }

  byDevEui(devEui: string): Device | undefined {
    return this.devicesByEui.get(normalizeDevEui(devEui));
  }

  /** The device's bindings, oldest first (to explain a refusal: not for the hot path). */
  bindingsOf(deviceId: string): readonly Binding[] {
    const known = this.bindings.get(deviceId);
    return known === undefined ? [] : Array.isArray(known) ? known : [known];
  }

  /** The container the device was bound to at `measuredAt`, if any. */
  containerAt(deviceId: string, measuredAt: number): string | undefined {
    const known = this.bindings.get(deviceId);
    if (known === undefined) return undefined;
    if (!Array.isArray(known)) return covers(known, measuredAt) ? known.containerId : undefined;
    // Newest first: readings are nearly always measured on the current binding.
    for (let i = known.length - 1; i >= 0; i--) {
      if (covers(known[i], measuredAt)) return known[i].containerId;
    }
    return undefined;
  }
}

/** A binding as the directory holds it (the device is the map key). */
function held(b: DeviceBinding): Binding {
  return { containerId: b.containerId, boundAt: b.boundAt, unboundAt: b.unboundAt };
}

function covers(b: Binding, measuredAt: number): boolean {
  return b.boundAt <= measuredAt && (b.unboundAt === undefined || measuredAt < b.unboundAt);
}

/** The device with its format interned and, when it has nothing else, as a two-field literal. */
function compact(device: Device): Device {
  const format = READING_SOURCES.find((s) => s === device.format) ?? device.format;
  if (
    device.devEui === undefined &&
    device.model === undefined &&
    device.channelMap === undefined &&
    device.lorawanApplication === undefined
  )
    return { id: device.id, format };
  return { ...device, format };
}
