import { Injectable, OnModuleInit } from '@nestjs/common';
import { normalizeDevEui } from '#src/contracts/identifiers.js';
import { FleetRepository } from './fleet.repository.js';
import type { Device, DeviceBinding } from './fleet.types.js';

/**
 * In-memory index of devices and their bindings, read on every incoming message (hot path):
 * which device a DevEUI is, and which container a device was on at a given measuredAt, so a
 * reading measured before a rebind is attributed to the old container. Rebuilt from SQLite at
 * start and after every fleet change ({@link reload}).
 */
@Injectable()
export class DeviceDirectory implements OnModuleInit {
  private devicesById = new Map<string, Device>();
  private devicesByEui = new Map<string, Device>();
  /** Per device, bindings sorted by boundAt. */
  private bindings = new Map<string, DeviceBinding[]>();

  constructor(private readonly repository: FleetRepository) {}

  onModuleInit(): void {
    this.reload();
  }

  reload(): void {
    const byId = new Map<string, Device>();
    const byEui = new Map<string, Device>();
    for (const device of this.repository.listDevices()) {
      byId.set(device.id, device);
      if (device.devEui) byEui.set(normalizeDevEui(device.devEui), device);
    }
    const bindings = new Map<string, DeviceBinding[]>();
    for (const binding of this.repository.allBindings()) {
      const list = bindings.get(binding.deviceId);
      if (list) list.push(binding);
      else bindings.set(binding.deviceId, [binding]);
    }
    this.devicesById = byId;
    this.devicesByEui = byEui;
    this.bindings = bindings;
  }

  byId(deviceId: string): Device | undefined {
    return this.devicesById.get(deviceId);
  }

  byDevEui(devEui: string): Device | undefined {
    return this.devicesByEui.get(normalizeDevEui(devEui));
  }

  /** The container the device was bound to at `measuredAt`, if any. */
  containerAt(deviceId: string, measuredAt: number): string | undefined {
    const list = this.bindings.get(deviceId);
    if (!list) return undefined;
    // Newest first: readings are nearly always measured on the current binding.
    for (let i = list.length - 1; i >= 0; i--) {
      const b = list[i];
      if (b.boundAt <= measuredAt && (b.unboundAt === undefined || measuredAt < b.unboundAt)) {
        return b.containerId;
      }
    }
    return undefined;
  }
}
