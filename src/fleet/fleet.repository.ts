import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { BatchedReads } from '#src/storage/batched-reads.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { FLEET_MIGRATIONS, FLEET_SCOPE } from './fleet.migrations.js';
import { toBinding, toContainer, toDevice, type FleetTables } from './fleet.tables.js';
import type { Container, Device, DeviceBinding } from './fleet.types.js';

/**
 * Containers kept in memory at most (~160 B each, ~8 MB in all): the ones planners and screens
 * read again and again stay; past the bound the oldest entry leaves.
 */
export const CONTAINER_CACHE_SIZE = 50_000;

/**
 * The fleet's tables in the operational store (SQLite or PostgreSQL, one query for both; scope
 * `fleet`): their migration, the container registry entries REST reads, and the devices and
 * bindings the in-memory indexes are built from. The resources' own SQL is in the sites,
 * containers and devices repositories; a fleet import's in fleet-import.repository.ts.
 */
@Injectable()
export class FleetRepository implements OnModuleInit {
  readonly db: Kysely<FleetTables>;
  private migration: Promise<void> | undefined;

  /**
   * Registry entries by id, for the REST read of a container (a SELECT was ~6 % of its CPU; on
   * PostgreSQL a round trip, which waits behind the state checkpoint's writes). Every write of the
   * containers table goes through {@link forgetContainer}: this node's own, and on PostgreSQL the
   * other nodes' as their announcements arrive (fleet-changes.service.ts). While those cannot
   * arrive (the listening session lost) nothing is kept: {@link cacheWhile}.
   */
  private readonly containers = new Map<string, Readonly<Container>>();
  private cacheContainers = true;
  /** Bumped by every forget: a read that began before one does not keep what it read. */
  private generation = 0;
  /** The entries not cached, read together while a read is in flight (storage/batched-reads.ts). */
  private readonly reads: BatchedReads<string, Readonly<Container>>;

  constructor(private readonly store: OperationalDatabase) {
    this.db = store.db.withTables<FleetTables>();
    this.reads = new BatchedReads(async (ids) => {
      const rows = await this.db.selectFrom('containers').selectAll().where('id', 'in', ids).execute();
      return new Map(rows.map((row) => [row.id, Object.freeze(toContainer(row))]));
    });
  }

  /** Keeps registry entries while `trusted` (PostgreSQL: while other nodes' changes are heard). */
  cacheWhile(trusted: boolean): void {
    this.cacheContainers = trusted;
    this.forgetContainers();
  }

  async onModuleInit(): Promise<void> {
    await this.migrated();
  }

  /** Resolves once the tables are migrated (migrates them on the first call). */
  migrated(): Promise<void> {
    return (this.migration ??= this.store.migrate(FLEET_SCOPE, FLEET_MIGRATIONS));
  }

  get dialect(): OperationalDatabase['dialect'] {
    return this.store.dialect;
  }

  /** Closes the device's open binding (if any) at `atMs` and opens one on `containerId`, in one transaction. */
  async bindDevice(deviceId: string, containerId: string, atMs: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('device_bindings')
        .set({ unbound_at: atMs })
        .where('device_id', '=', deviceId)
        .where('unbound_at', 'is', null)
        .execute();
      await trx
        .insertInto('device_bindings')
        .values({ device_id: deviceId, container_id: containerId, bound_at: atMs })
        .execute();
    });
  }

  async openBinding(deviceId: string): Promise<DeviceBinding | undefined> {
    const row = await this.db
      .selectFrom('device_bindings')
      .select(['device_id', 'container_id', 'bound_at', 'unbound_at'])
      .where('device_id', '=', deviceId)
      .where('unbound_at', 'is', null)
      .executeTakeFirst();
    return row ? toBinding(row) : undefined;
  }

  /** Every binding, by device then start. */
  async allBindings(): Promise<DeviceBinding[]> {
    const rows = await this.db
      .selectFrom('device_bindings')
      .select(['device_id', 'container_id', 'bound_at', 'unbound_at'])
      .orderBy('device_id')
      .orderBy('bound_at')
      .execute();
    return rows.map(toBinding);
  }

  /** The container's registry entry (shared and frozen: callers copy it to change it). */
  async findContainer(id: string): Promise<Readonly<Container> | undefined> {
    const cached = this.containers.get(id);
    if (cached !== undefined) return cached;
    const generation = this.generation;
    const container = await this.reads.read(id);
    if (container === undefined) return undefined;
    if (this.cacheContainers && generation === this.generation) {
      if (this.containers.size >= CONTAINER_CACHE_SIZE)
        this.containers.delete(this.containers.keys().next().value!);
      this.containers.set(id, container);
    }
    return container;
  }

  /** Drops the cached entry of a container written elsewhere (created, changed, deleted). */
  forgetContainer(id: string): void {
    this.generation++;
    this.containers.delete(id);
  }

  /** Drops every cached entry (after an import wrote many). */
  forgetContainers(): void {
    this.generation++;
    this.containers.clear();
  }

  async listDevices(): Promise<Device[]> {
    const rows = await this.db.selectFrom('devices').selectAll().orderBy('id').execute();
    return rows.map(toDevice);
  }

  /** The devices of these ids that exist. */
  async findDevices(ids: readonly string[]): Promise<Device[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('devices').selectAll().where('id', 'in', ids).execute();
    return rows.map(toDevice);
  }

  /** The bindings of these devices, by device then start. */
  async bindingsOfDevices(deviceIds: readonly string[]): Promise<DeviceBinding[]> {
    if (deviceIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('device_bindings')
      .select(['device_id', 'container_id', 'bound_at', 'unbound_at'])
      .where('device_id', 'in', deviceIds)
      .orderBy('device_id')
      .orderBy('bound_at')
      .execute();
    return rows.map(toBinding);
  }
}
