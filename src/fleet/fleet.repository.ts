import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { FLEET_MIGRATIONS } from './fleet.migrations.js';
import type { Container, Device, DeviceBinding, Site } from './fleet.types.js';

export interface SiteRow {
  id: string;
  name: string;
  kind: Site['kind'];
  address: string | null;
  lat: number;
  lon: number;
  geofence: string;
}
export interface ContainerRow {
  id: string;
  kind: Container['kind'];
  label: string;
  site_id: string | null;
  notes: string | null;
}
export interface DeviceRow {
  id: string;
  dev_eui: string | null;
  format: Device['format'];
  model: string | null;
  channel_map: string | null;
  lorawan_application: string | null;
}
export interface BindingRow {
  device_id: string;
  container_id: string;
  bound_at: number;
  unbound_at: number | null;
}

/**
 * Containers kept in memory at most (~160 B each, ~8 MB in all): the ones planners and screens
 * read again and again stay; past the bound the oldest entry leaves.
 */
export const CONTAINER_CACHE_SIZE = 50_000;

/** SQL access to sites, containers, devices and their bindings. Nothing else touches these tables. */
@Injectable()
export class FleetRepository implements OnModuleInit {
  /**
   * Registry entries by id, for the REST read of a container (a SELECT was ~6 % of its CPU).
   * Every write of the containers table goes through this class or {@link forgetContainer}.
   */
  private readonly containers = new Map<string, Readonly<Container>>();

  constructor(private readonly sqlite: SqliteDatabase) {}

  onModuleInit(): void {
    this.sqlite.migrate('fleet', FLEET_MIGRATIONS);
  }

  private get db() {
    return this.sqlite.connection;
  }

  private readonly statements = new Map<string, Statement>();

  /** Prepared once per SQL text: an import of 150,000 containers must not prepare 750,000 times. */
  private statement(sql: string): Statement {
    let prepared = this.statements.get(sql);
    if (!prepared) this.statements.set(sql, (prepared = this.db.prepare(sql)));
    return prepared;
  }

  /** Runs `work` in one transaction (all or nothing). */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  upsertSite(site: Site, nowMs: number): void {
    this.statement(
      `INSERT INTO sites (id, name, kind, address, lat, lon, geofence, created_at, updated_at)
         VALUES (@id, @name, @kind, @address, @lat, @lon, @geofence, @now, @now)
         ON CONFLICT(id) DO UPDATE SET name = @name, kind = @kind, address = @address, lat = @lat,
           lon = @lon, geofence = @geofence, updated_at = @now`,
    ).run({ ...site, address: site.address ?? null, geofence: JSON.stringify(site.geofence), now: nowMs });
  }

  upsertContainer(container: Container, nowMs: number): void {
    this.statement(
      `INSERT INTO containers (id, kind, label, site_id, notes, created_at, updated_at)
         VALUES (@id, @kind, @label, @siteId, @notes, @now, @now)
         ON CONFLICT(id) DO UPDATE SET kind = @kind, label = @label, site_id = @siteId, notes = @notes,
           updated_at = @now`,
    ).run({ ...container, siteId: container.siteId ?? null, notes: container.notes ?? null, now: nowMs });
    this.containers.delete(container.id);
  }

  upsertDevice(device: Device, nowMs: number): void {
    this.statement(
      `INSERT INTO devices (id, dev_eui, format, model, channel_map, lorawan_application, created_at, updated_at)
         VALUES (@id, @devEui, @format, @model, @channelMap, @lorawanApplication, @now, @now)
         ON CONFLICT(id) DO UPDATE SET dev_eui = @devEui, format = @format, model = @model,
           channel_map = @channelMap, lorawan_application = @lorawanApplication, updated_at = @now`,
    ).run({
      id: device.id,
      devEui: device.devEui ?? null,
      format: device.format,
      model: device.model ?? null,
      channelMap: device.channelMap ? JSON.stringify(device.channelMap) : null,
      lorawanApplication: device.lorawanApplication ?? null,
      now: nowMs,
    });
  }

  /** Closes the device's open binding (if any) at `atMs` and opens one on `containerId`. */
  bindDevice(deviceId: string, containerId: string, atMs: number): void {
    this.statement(
      'UPDATE device_bindings SET unbound_at = ? WHERE device_id = ? AND unbound_at IS NULL',
    ).run(atMs, deviceId);
    this.statement('INSERT INTO device_bindings (device_id, container_id, bound_at) VALUES (?, ?, ?)').run(
      deviceId,
      containerId,
      atMs,
    );
  }

  openBinding(deviceId: string): DeviceBinding | undefined {
    const row = this.statement(
      'SELECT * FROM device_bindings WHERE device_id = ? AND unbound_at IS NULL',
    ).get(deviceId) as BindingRow | undefined;
    return row ? toBinding(row) : undefined;
  }

  hasBindings(deviceId: string): boolean {
    return (
      this.statement('SELECT 1 FROM device_bindings WHERE device_id = ? LIMIT 1').get(deviceId) !== undefined
    );
  }

  allBindings(): DeviceBinding[] {
    return this.db
      .prepare<[], BindingRow>('SELECT * FROM device_bindings ORDER BY device_id, bound_at')
      .all()
      .map(toBinding);
  }

  /** The container's registry entry (shared and frozen: callers copy it to change it). */
  findContainer(id: string): Readonly<Container> | undefined {
    const cached = this.containers.get(id);
    if (cached !== undefined) return cached;
    // Prepared once: every REST read of a container not yet cached comes here.
    const row = this.statement('SELECT * FROM containers WHERE id = ?').get(id) as ContainerRow | undefined;
    if (row === undefined) return undefined;
    const container = Object.freeze(toContainer(row));
    // A row read inside a transaction may still be rolled back: only committed rows are kept.
    if (!this.db.inTransaction) {
      if (this.containers.size >= CONTAINER_CACHE_SIZE)
        this.containers.delete(this.containers.keys().next().value!);
      this.containers.set(id, container);
    }
    return container;
  }

  /** Drops the cached entry of a container written elsewhere (created, changed, deleted). */
  forgetContainer(id: string): void {
    this.containers.delete(id);
  }

  listDevices(): Device[] {
    return this.db.prepare<[], DeviceRow>('SELECT * FROM devices ORDER BY id').all().map(toDevice);
  }

  findDevice(id: string): Device | undefined {
    const row = this.statement('SELECT * FROM devices WHERE id = ?').get(id) as DeviceRow | undefined;
    return row === undefined ? undefined : toDevice(row);
  }

  /** The device's bindings, oldest first. */
  bindingsOf(deviceId: string): DeviceBinding[] {
    return (
      this.statement('SELECT * FROM device_bindings WHERE device_id = ? ORDER BY bound_at').all(
        deviceId,
      ) as BindingRow[]
    ).map(toBinding);
  }
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

export function toBinding(r: BindingRow): DeviceBinding {
  return {
    deviceId: r.device_id,
    containerId: r.container_id,
    boundAt: r.bound_at,
    ...(r.unbound_at !== null && { unboundAt: r.unbound_at }),
  };
}
