import type { Measurements, ReadingSource } from '#src/contracts/reading.js';

export const SITE_KINDS = ['warehouse', 'hub', 'hypermarket', 'supermarket'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

export const CONTAINER_KINDS = ['reefer', 'roll-cage', 'pallet', 'dry-box'] as const;
export type ContainerKind = (typeof CONTAINER_KINDS)[number];

/** A circle (centre = the site's position) or a GeoJSON Polygon (`[lon, lat]` rings). */
export type Geofence = { type: 'circle'; radiusM: number } | { type: 'polygon'; coordinates: number[][][] };

export interface Site {
  id: string;
  name: string;
  kind: SiteKind;
  address?: string;
  lat: number;
  lon: number;
  geofence: Geofence;
}

export interface Container {
  id: string;
  kind: ContainerKind;
  label: string;
  /** Home site (where it is based), optional. */
  siteId?: string;
  notes?: string;
}

export interface Device {
  id: string;
  /** LoRaWAN DevEUI, lower-case hex, for ChirpStack / TTS devices. */
  devEui?: string;
  format: ReadingSource;
  model?: string;
  /** How the model's Cayenne LPP values map to the reading, when it differs from the default. */
  channelMap?: DeviceChannelMap;
  /**
   * The network-server application the LoRaWAN device belongs to: the ChirpStack application id
   * (`application/{id}/…`) or the TTS `{appId}@{tenantId}` (`v3/{…}/…`). Uplinks for it on
   * another application's topic are refused (`wrong-application`).
   */
  lorawanApplication?: string;
}

/**
 * A device model's Cayenne LPP mapping (the shape of the LoRaWAN decoders' `ChannelMap`): by
 * channel number or by LPP type, to a canonical field, `position`, `measuredAt` or `ignore`.
 */
export interface DeviceChannelMap {
  channels?: Record<string, string>;
  types?: Record<string, string>;
  /** Voltage read as battery level: `emptyV` is 0 %, `fullV` 100 %. */
  battery?: { emptyV: number; fullV: number };
}

/** A device's time on one container: [boundAt, unboundAt). */
export interface DeviceBinding {
  deviceId: string;
  containerId: string;
  boundAt: number;
  unboundAt?: number;
}

/** The newest value of one measurement and when it was measured. */
export interface LatestValue<T = number | boolean> {
  value: T;
  measuredAt: number;
}

/** A container's live state: per measurement, the value with the newest measuredAt. */
/** What a walk over the whole fleet reads of a container's live state (the offline-rule tick). */
export interface ContainerLastSeen {
  containerId: string;
  shipmentId?: string;
  lastDeviceId: string;
  /** Newest measuredAt per measurement key seen, epoch ms. */
  lastSeen: Partial<Record<keyof Measurements, number>>;
}

export interface ContainerLiveState {
  containerId: string;
  /** Newest measuredAt of any reading, epoch ms. */
  lastMeasuredAt: number;
  /** Our reception time of the newest reading, epoch ms. */
  lastReceivedAt: number;
  lastDeviceId: string;
  shipmentId?: string;
  values: Partial<Record<keyof Measurements, LatestValue>>;
}
