import { BeforeApplicationShutdown, Injectable, OnModuleInit } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { ContainerRegistry } from './container-registry.js';
import { FLEET_MIGRATIONS, FLEET_SCOPE } from './fleet.migrations.js';
import { toBinding, toDevice, type FleetTables } from './fleet.tables.js';
import type { Container, Device, DeviceBinding } from './fleet.types.js';

/**
 * The fleet's tables in the operational store (SQLite or PostgreSQL, one query for both; scope
 * `fleet`): their migration, the container registry entries REST reads, and the devices and
 * bindings the in-memory indexes are built from. The resources' own SQL is in the sites,
 * containers and devices repositories; a fleet import's in fleet-import.repository.ts.
 */
@Injectable()
export class FleetRepository implements OnModuleInit, BeforeApplicationShutdown {
  readonly db: Kysely<FleetTables>;
  private migration: Promise<void> | undefined;

  /** Registry entries for the REST read of a container: every one on PostgreSQL (container-registry.ts). */
  private readonly containers: ContainerRegistry;

  constructor(private readonly store: OperationalDatabase) {
    this.db = store.db.withTables<FleetTables>();
    this.containers = new ContainerRegistry(this.db, store.dialect === 'postgres', () => this.migrated());
  }

  /** Keeps registry entries while `trusted` (PostgreSQL: while other nodes' changes are heard). */
  cacheWhile(trusted: boolean): void {
    this.containers.cacheWhile(trusted);
  }

  /** Resolves when the registry's load in progress (PostgreSQL) has ended. */
  containersLoaded(): Promise<void> {
    return this.containers.loaded();
  }

  async onModuleInit(): Promise<void> {
    await this.migrated();
  }

  beforeApplicationShutdown(): void {
    this.containers.stop();
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
  findContainer(id: string): Promise<Readonly<Container> | undefined> {
    return this.containers.find(id);
  }

  /** Drops the kept entry of a container written elsewhere (created, changed, deleted). */
  forgetContainer(id: string): void {
    this.containers.forget(id);
  }

  /** Drops every kept entry (other nodes' changes missed); on PostgreSQL loads them again. */
  forgetContainers(): void {
    this.containers.forgetAll();
  }

  /** Drops the kept entries of the containers an import wrote (all of them when many). */
  forgetImported(ids: readonly string[]): void {
    this.containers.forgetMany(ids);
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
