import { FleetImportRepository, type FleetImport } from '#src/fleet/fleet-import.repository.js';
import { FleetRepository } from '#src/fleet/fleet.repository.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { OperationalStoreConfig } from '#src/storage/operational-store.config.js';
import type { SqliteDatabase } from '#src/storage/sqlite-database.js';

/** The fleet's tables migrated in `store`, and a way to write entries as a fleet import does. */
export interface FleetStore {
  fleet: FleetRepository;
  /** Upserts the entries (devices with a containerId are bound to it from 0, or rebound at `nowMs`). */
  seed: (entries: Partial<FleetImport>, nowMs?: number) => Promise<number>;
}

export async function openFleetStore(store: OperationalDatabase): Promise<FleetStore> {
  const fleet = new FleetRepository(store);
  await fleet.onModuleInit();
  const importer = new FleetImportRepository(fleet);
  return {
    fleet,
    seed: (entries, nowMs = 0) =>
      importer.write([{ sites: [], containers: [], devices: [], ...entries }], nowMs),
  };
}

/** The operational store of a SQLite file (no DATABASE_URL). */
export function sqliteStore(db: SqliteDatabase): OperationalDatabase {
  return new OperationalDatabase(new OperationalStoreConfig({}), db);
}
