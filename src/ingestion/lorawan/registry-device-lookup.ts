import { Injectable, Logger } from '@nestjs/common';
import { DeviceDirectory } from '#src/fleet/device-directory.service.js';
import type { Device } from '#src/fleet/fleet.types.js';
import { parseChannelMap } from './channel-map.parser.js';
import type { DeviceLookup, LoraDevice } from './device-lookup.js';

/**
 * The decoders' view of the registry: the in-memory {@link DeviceDirectory}, each device turned
 * into a {@link LoraDevice} once. The view is cached per `Device` object in a WeakMap: the
 * directory's `reload()` replaces every object after a fleet change, so a changed channel map is
 * picked up and the stale views are collected with the old objects, without any invalidation.
 */
@Injectable()
export class RegistryDeviceLookup implements DeviceLookup {
  private readonly logger = new Logger('Ingestion');
  private readonly views = new WeakMap<Device, LoraDevice>();

  constructor(private readonly directory: DeviceDirectory) {}

  byDevEui(devEui: string): LoraDevice | undefined {
    const device = this.directory.byDevEui(devEui);
    return device === undefined ? undefined : this.viewOf(device);
  }

  byDeviceId(id: string): LoraDevice | undefined {
    const device = this.directory.byId(id);
    return device === undefined ? undefined : this.viewOf(device);
  }

  private viewOf(device: Device): LoraDevice {
    let view = this.views.get(device);
    if (view === undefined) {
      view = toLoraDevice(device, this.logger);
      this.views.set(device, view);
    }
    return view;
  }
}

function toLoraDevice(device: Device, logger: Logger): LoraDevice {
  const view: LoraDevice = { deviceId: device.id, format: device.format };
  if (device.devEui !== undefined) view.devEui = device.devEui.toLowerCase();
  if (device.lorawanApplication !== undefined) view.application = device.lorawanApplication;
  if (device.channelMap !== undefined) {
    const parsed = parseChannelMap(device.channelMap);
    // The registry validates maps when a device is written; one that still fails here (older row,
    // manual edit) must not stop the device: its bytes are read with the default mapping.
    if (parsed.ok) view.channelMap = parsed.map;
    else logger.warn({ deviceId: device.id, reason: parsed.detail }, 'Channel map ignored');
  }
  return view;
}
