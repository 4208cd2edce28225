import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { toBinding, toDevice, type BindingRow, type DeviceRow } from './fleet.repository.js';
import type { Device, DeviceBinding } from './fleet.types.js';

/** SQL for the planners' device resource and binding history (the fleet migrations own the tables). */
@Injectable()
export class DevicesRepository {
  constructor(private readonly sqlite: SqliteDatabase) {}

  private get db() {
    return this.sqlite.connection;
  }

  find(id: string): Device | undefined {
    const row = this.db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE id = ?').get(id);
    return row ? toDevice(row) : undefined;
  }

  list(afterId: string | undefined, limit: number): Device[] {
    return this.db
      .prepare<[string, number], DeviceRow>('SELECT * FROM devices WHERE id > ? ORDER BY id LIMIT ?')
      .all(afterId ?? '', limit)
      .map(toDevice);
  }

  /** Inserts a new device; throws a PRIMARYKEY or UNIQUE (devEui) constraint error when taken. */
  insert(device: Device, nowMs: number): void {
    this.db
      .prepare(
        `INSERT INTO devices (id, dev_eui, format, model, channel_map, lorawan_application, created_at, updated_at)
         VALUES (@id, @devEui, @format, @model, @channelMap, @lorawanApplication, @now, @now)`,
      )
      .run(params(device, nowMs));
  }

  update(device: Device, nowMs: number): void {
    this.db
      .prepare(
        `UPDATE devices SET dev_eui = @devEui, format = @format, model = @model,
           channel_map = @channelMap, lorawan_application = @lorawanApplication, updated_at = @now
         WHERE id = @id`,
      )
      .run(params(device, nowMs));
  }

  /** Deletes the device and its (closed) binding history. */
  delete(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM device_bindings WHERE device_id = ?').run(id);
      this.db.prepare('DELETE FROM devices WHERE id = ?').run(id);
    })();
  }

  /** The device's bindings, oldest first, by binding id after `afterId`. */
  bindings(deviceId: string, afterId: number, limit: number): (DeviceBinding & { seq: number })[] {
    return this.db
      .prepare<[string, number, number], BindingRow & { id: number }>(
        'SELECT * FROM device_bindings WHERE device_id = ? AND id > ? ORDER BY id LIMIT ?',
      )
      .all(deviceId, afterId, limit)
      .map((r) => ({ ...toBinding(r), seq: r.id }));
  }

  /** Closes the device's open binding at `atMs`; false when it had none. */
  unbind(deviceId: string, atMs: number): boolean {
    return (
      this.db
        .prepare('UPDATE device_bindings SET unbound_at = ? WHERE device_id = ? AND unbound_at IS NULL')
        .run(atMs, deviceId).changes > 0
    );
  }

  /**
   * Moves the start of the device's newest binding back to `fromMs` (never later) and reopens it
   * (binding-history.policy.ts says when that is allowed).
   */
  extendNewest(deviceId: string, fromMs: number): void {
    this.db
      .prepare(
        `UPDATE device_bindings SET bound_at = MIN(bound_at, ?), unbound_at = NULL WHERE id =
           (SELECT id FROM device_bindings WHERE device_id = ? ORDER BY bound_at DESC, id DESC LIMIT 1)`,
      )
      .run(fromMs, deviceId);
  }

  /** Start of the device's newest binding (open or closed), if any. */
  lastBindingChange(deviceId: string): number | undefined {
    const row = this.db
      .prepare<[string], { t: number | null }>(
        'SELECT MAX(COALESCE(unbound_at, bound_at)) AS t FROM device_bindings WHERE device_id = ?',
      )
      .get(deviceId);
    return row?.t ?? undefined;
  }
}

function params(d: Device, nowMs: number) {
  return {
    id: d.id,
    devEui: d.devEui?.toLowerCase() ?? null,
    format: d.format,
    model: d.model ?? null,
    channelMap: d.channelMap ? JSON.stringify(d.channelMap) : null,
    lorawanApplication: d.lorawanApplication ?? null,
    now: nowMs,
  };
}
