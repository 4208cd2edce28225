import { Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { FleetRepository } from './fleet.repository.js';
import { deviceValues, toBinding, toDevice, type FleetTables } from './fleet.tables.js';
import type { Device, DeviceBinding } from './fleet.types.js';

/**
 * SQL for the planners' device resource and binding history, on either store (the fleet
 * migrations own the tables).
 */
@Injectable()
export class DevicesRepository {
  private readonly db: Kysely<FleetTables>;

  constructor(fleet: FleetRepository) {
    this.db = fleet.db;
  }

  async find(id: string): Promise<Device | undefined> {
    const row = await this.db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toDevice(row) : undefined;
  }

  async list(afterId: string | undefined, limit: number): Promise<Device[]> {
    const rows = await this.db
      .selectFrom('devices')
      .selectAll()
      .where('id', '>', afterId ?? '')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toDevice);
  }

  /** Inserts a new device; rejects with a duplicate-key error (id or DevEUI taken, store-errors.ts). */
  async insert(device: Device, nowMs: number): Promise<void> {
    await this.db.insertInto('devices').values(deviceValues(device, nowMs)).execute();
  }

  async update(device: Device, nowMs: number): Promise<void> {
    const { id, created_at: _created, ...fields } = deviceValues(device, nowMs);
    await this.db.updateTable('devices').set(fields).where('id', '=', id).execute();
  }

  /** Deletes the device and its (closed) binding history, in one transaction. */
  async delete(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('device_bindings').where('device_id', '=', id).execute();
      await trx.deleteFrom('devices').where('id', '=', id).execute();
    });
  }

  /** The device's bindings, oldest first, by binding id after `afterId`. */
  async bindings(
    deviceId: string,
    afterId: number,
    limit: number,
  ): Promise<(DeviceBinding & { seq: number })[]> {
    const rows = await this.db
      .selectFrom('device_bindings')
      .selectAll()
      .where('device_id', '=', deviceId)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ...toBinding(r), seq: r.id }));
  }

  /** Closes the device's open binding at `atMs`; false when it had none. */
  async unbind(deviceId: string, atMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('device_bindings')
      .set({ unbound_at: atMs })
      .where('device_id', '=', deviceId)
      .where('unbound_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Moves the start of the device's newest binding back to `fromMs` (never later) and reopens it
   * (binding-history.policy.ts says when that is allowed).
   */
  async extendNewest(deviceId: string, fromMs: number): Promise<void> {
    // One statement: the binding chosen is the one changed, whatever another node writes meanwhile.
    await this.db
      .updateTable('device_bindings')
      .set((eb) => ({
        bound_at: eb.case().when('bound_at', '<', fromMs).then(eb.ref('bound_at')).else(fromMs).end(),
        unbound_at: null,
      }))
      .where('id', '=', (eb) =>
        eb
          .selectFrom('device_bindings')
          .select('id')
          .where('device_id', '=', deviceId)
          .orderBy('bound_at', 'desc')
          .orderBy('id', 'desc')
          .limit(1),
      )
      .execute();
  }

  /** Start of the device's newest binding change (open or closed), if any. */
  async lastBindingChange(deviceId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('device_bindings')
      .select((eb) => eb.fn.max(eb.fn.coalesce('unbound_at', 'bound_at')).as('t'))
      .where('device_id', '=', deviceId)
      .executeTakeFirst();
    return row?.t ?? undefined;
  }
}
