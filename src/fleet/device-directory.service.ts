import { Injectable, OnModuleInit } from '@nestjs/common';
import { normalizeDevEui } from '#src/contracts/identifiers.js';
import { READING_SOURCES } from '#src/contracts/reading.js';
import type { ContainerState } from '#src/state/container-state.js';
import { FleetRepository } from './fleet.repository.js';
import type { Device, DeviceBinding } from './fleet.types.js';

/** Devices one {@link DeviceDirectory.refresh} takes: their ids are bound values of one query. */
export const REFRESH_MAX_DEVICES = 20_000;

/** One binding as the directory needs it: the device is the map key. */
export interface Binding {
  containerId: string;
  boundAt: number;
  unboundAt: number | undefined;
  /**
   * The container's state as the pipeline last found it, kept here so that the next reading of
   * the device skips a lookup among every container's ({@link ContainerStates.obtainKept} checks
   * it is still the container's). A new binding starts without.
   */
  state?: ContainerState | undefined;
}

/**
 * A device id's entry: the device (absent for bindings of a device not listed) and its binding,
 * or its bindings sorted by boundAt. One entry for both, so one lookup in a map of the whole fleet
 * serves the device's decoding and the reading's attribution ({@link DeviceDirectory.containerAt}).
 */
interface DeviceEntry {
  device: Device | undefined;
  bindings: Binding | Binding[] | undefined;
}

/**
 * In-memory index of devices and their bindings, read on every incoming message (hot path):
 * which device a DevEUI is, and which container a device was on at a given measuredAt, so a
 * reading measured before a rebind is attributed to the old container. Rebuilt from the operational store at
 * start and after a large import ({@link reload}), one device at a time after a change of it or a
 * page of an import ({@link refresh}): the devices service and the fleet import call them once
 * their write is committed, so the very next reading on this node sees the change. The hot path
 * never waits on the store. On PostgreSQL a change made through another node arrives as that
 * node's announcement (`FleetChanges`), which refreshes the same way (ARCHITECTURE.md §5).
 *
 * Memory (issue 11, 150,000 devices): devices are rebuilt as small literals sharing one id string
 * and one format string, and a device with a single binding (nearly all) holds it without an array.
 *
 * Hot path: the entry {@link byId} or {@link byDevEui} found last is kept, so attributing the
 * readings of the message just decoded ({@link containerAt}) looks nothing up again: at 150,000
 * devices each lookup misses the CPU caches (~0.4 µs a reading).
 */
@Injectable()
export class DeviceDirectory implements OnModuleInit {
  private entries = new Map<string, DeviceEntry>();
  private entriesByEui = new Map<string, DeviceEntry>();
  /** The entry found last and its device id: the next {@link containerAt} is nearly always for it. */
  private last: DeviceEntry | undefined;
  private lastId: string | undefined;
  private readonly removedListeners: ((device: Device) => void)[] = [];

  constructor(private readonly repository: FleetRepository) {}

  async onModuleInit(): Promise<void> {
    await this.repository.migrated();
    await this.reload();
  }

  /** Reads every device and binding, then swaps the new index in at once. */
  async reload(): Promise<void> {
    const [devices, bindings] = [await this.repository.listDevices(), await this.repository.allBindings()];
    const entries = new Map<string, DeviceEntry>();
    const byEui = new Map<string, DeviceEntry>();
    for (const row of devices) {
      const device = compact(row);
      const entry: DeviceEntry = { device, bindings: undefined };
      entries.set(device.id, entry);
      if (device.devEui) byEui.set(normalizeDevEui(device.devEui), entry);
    }
    // Sorted by device then boundAt: each device's list is built in order.
    for (const b of bindings) {
      const binding = held(b);
      let entry = entries.get(b.deviceId);
      if (entry === undefined) entries.set(b.deviceId, (entry = { device: undefined, bindings: undefined }));
      const known = entry.bindings;
      if (known === undefined) entry.bindings = binding;
      else if (Array.isArray(known)) known.push(binding);
      else entry.bindings = [known, binding];
    }
    const previous = this.entries;
    this.entries = entries;
    this.entriesByEui = byEui;
    this.last = this.lastId = undefined;
    for (const [id, { device }] of previous) {
      if (device === undefined) continue;
      const now = entries.get(id)?.device;
      if (now === undefined || now.devEui !== device.devEui)
        for (const listener of this.removedListeners) listener(device);
    }
  }

  /**
   * Re-reads the devices and their bindings after they changed (created, changed, deleted, bound
   * or unbound), as {@link reload} would find them: two queries whatever their number (at most
   * {@link REFRESH_MAX_DEVICES}). A whole reload reads every device and binding: ~1.5 s of the
   * main thread at 150,000 devices, for each device registered or bound.
   */
  async refresh(...deviceIds: string[]): Promise<void> {
    const rows = new Map((await this.repository.findDevices(deviceIds)).map((d) => [d.id, d]));
    const found = new Map<string, Binding[]>();
    for (const b of await this.repository.bindingsOfDevices(deviceIds)) {
      let list = found.get(b.deviceId);
      if (list === undefined) found.set(b.deviceId, (list = []));
      list.push(held(b));
    }
    // Read first, then changed without an await: a reading sees the old entries or the new.
    for (const deviceId of deviceIds) this.replace(deviceId, rows.get(deviceId), found.get(deviceId) ?? []);
    this.last = this.lastId = undefined;
  }

  private replace(deviceId: string, row: Device | undefined, found: Binding[]): void {
    const previous = this.entries.get(deviceId)?.device;
    const device = row === undefined ? undefined : compact(row);
    if (previous?.devEui && this.entriesByEui.get(normalizeDevEui(previous.devEui))?.device === previous)
      this.entriesByEui.delete(normalizeDevEui(previous.devEui));
    const bindings = found.length === 0 ? undefined : found.length === 1 ? found[0] : found;
    // A new entry, not the old one changed: one handed out keeps what it said.
    const id = device?.id ?? deviceId;
    if (device === undefined && bindings === undefined) this.entries.delete(id);
    else {
      const entry: DeviceEntry = { device, bindings };
      this.entries.set(id, entry);
      if (device?.devEui) this.entriesByEui.set(normalizeDevEui(device.devEui), entry);
    }
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
    const entry = this.entries.get(deviceId);
    if (entry === undefined) return undefined;
    this.last = entry;
    this.lastId = deviceId;
    return entry.device;
  }

  byDevEui(devEui: string): Device | undefined {
    const entry = this.entriesByEui.get(normalizeDevEui(devEui));
    if (entry === undefined) return undefined;
    this.last = entry;
    this.lastId = entry.device?.id;
    return entry.device;
  }

  /** The device's bindings, oldest first (to explain a refusal: not for the hot path). */
  bindingsOf(deviceId: string): readonly Binding[] {
    const known = this.entries.get(deviceId)?.bindings;
    return known === undefined ? [] : Array.isArray(known) ? known : [known];
  }

  /** The container the device was bound to at `measuredAt`, if any. */
  containerAt(deviceId: string, measuredAt: number): string | undefined {
    return this.bindingAt(deviceId, measuredAt)?.containerId;
  }

  /** The binding of the device that covers `measuredAt`, if any. */
  bindingAt(deviceId: string, measuredAt: number): Binding | undefined {
    const known = (this.lastId === deviceId ? this.last : this.entries.get(deviceId))?.bindings;
    if (known === undefined) return undefined;
    if (!Array.isArray(known)) return covers(known, measuredAt) ? known : undefined;
    // Newest first: readings are nearly always measured on the current binding.
    for (let i = known.length - 1; i >= 0; i--) {
      if (covers(known[i], measuredAt)) return known[i];
    }
    return undefined;
  }
}

/** A binding as the directory holds it (the device is the map key). */
function held(b: DeviceBinding): Binding {
  return { containerId: b.containerId, boundAt: b.boundAt, unboundAt: b.unboundAt, state: undefined };
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
