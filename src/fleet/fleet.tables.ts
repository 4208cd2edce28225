import type { Generated, Selectable } from 'kysely';
import type { Container, Device, DeviceBinding, Site } from './fleet.types.js';

/** The fleet's tables as Kysely sees them (fleet.migrations.ts creates them). Times in epoch ms. */
export type FleetTables = {
  sites: {
    id: string;
    name: string;
    kind: Site['kind'];
    address: string | null;
    lat: number;
    lon: number;
    /** JSON of the {@link Site.geofence}. */
    geofence: string;
    created_at: number;
    updated_at: number;
  };
  containers: {
    id: string;
    kind: Container['kind'];
    label: string;
    site_id: string | null;
    notes: string | null;
    created_at: number;
    updated_at: number;
  };
  devices: {
    id: string;
    /** Lower-case hex. */
    dev_eui: string | null;
    format: Device['format'];
    model: string | null;
    /** JSON of the {@link Device.channelMap}. */
    channel_map: string | null;
    lorawan_application: string | null;
    created_at: number;
    updated_at: number;
  };
  device_bindings: {
    id: Generated<number>;
    device_id: string;
    container_id: string;
    bound_at: number;
    unbound_at: number | null;
  };
};

export type SiteRow = Selectable<FleetTables['sites']>;
export type ContainerRow = Selectable<FleetTables['containers']>;
export type DeviceRow = Selectable<FleetTables['devices']>;
export type BindingRow = Selectable<FleetTables['device_bindings']>;

/** The stored columns of a site written at `nowMs` (a new row's created_at, any row's updated_at). */
export function siteValues(site: Site, nowMs: number): FleetTables['sites'] {
  return {
    id: site.id,
    name: site.name,
    kind: site.kind,
    address: site.address ?? null,
    lat: site.lat,
    lon: site.lon,
    geofence: JSON.stringify(site.geofence),
    created_at: nowMs,
    updated_at: nowMs,
  };
}

export function containerValues(c: Container, nowMs: number): FleetTables['containers'] {
  return {
    id: c.id,
    kind: c.kind,
    label: c.label,
    site_id: c.siteId ?? null,
    notes: c.notes ?? null,
    created_at: nowMs,
    updated_at: nowMs,
  };
}

export function deviceValues(d: Device, nowMs: number): FleetTables['devices'] {
  return {
    id: d.id,
    dev_eui: d.devEui?.toLowerCase() ?? null,
    format: d.format,
    model: d.model ?? null,
    channel_map: d.channelMap ? JSON.stringify(d.channelMap) : null,
    lorawan_application: d.lorawanApplication ?? null,
    created_at: nowMs,
    updated_at: nowMs,
  };
}

export function toSite(r: SiteRow): Site {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    ...(r.address !== null && { address: r.address }),
    lat: r.lat,
    lon: r.lon,
    geofence: JSON.parse(r.geofence) as Site['geofence'],
  };
}

export function toContainer(r: ContainerRow): Container {
  return {
    id: r.id,
    kind: r.kind,
    label: r.label,
    ...(r.site_id !== null && { siteId: r.site_id }),
    ...(r.notes !== null && { notes: r.notes }),
  };
}

export function toDevice(r: DeviceRow): Device {
  return {
    id: r.id,
    format: r.format,
    ...(r.dev_eui !== null && { devEui: r.dev_eui }),
    ...(r.model !== null && { model: r.model }),
    ...(r.channel_map !== null && { channelMap: JSON.parse(r.channel_map) as Device['channelMap'] }),
    ...(r.lorawan_application !== null && { lorawanApplication: r.lorawan_application }),
  };
}

export function toBinding(r: Omit<BindingRow, 'id'>): DeviceBinding {
  return {
    deviceId: r.device_id,
    containerId: r.container_id,
    boundAt: r.bound_at,
    ...(r.unbound_at !== null && { unboundAt: r.unbound_at }),
  };
}
