import type { StoreMigration } from '#src/storage/store-migration.js';

/** Migration scope of the confirmed dispositions (the name released with SQLite). */
export const RECORD_DISPOSITIONS_SCOPE = 'shipment_records';

/** Every planner's decision is kept; the newest applies. Version 1 is the SQLite table as released. */
export const RECORD_DISPOSITIONS_MIGRATIONS: readonly StoreMigration[] = [
  {
    version: 1,
    description: 'confirmed dispositions (every decision kept, the newest applies)',
    up: {
      sqlite: `
        CREATE TABLE shipment_dispositions (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          shipment_id TEXT NOT NULL,
          decision TEXT NOT NULL,
          reason TEXT NOT NULL,
          computed TEXT NOT NULL,
          actor TEXT NOT NULL,
          at INTEGER NOT NULL);
        CREATE INDEX shipment_dispositions_shipment ON shipment_dispositions(shipment_id, id);
      `,
      postgres: `
        CREATE TABLE shipment_dispositions (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          shipment_id TEXT NOT NULL,
          decision TEXT NOT NULL,
          reason TEXT NOT NULL,
          computed TEXT NOT NULL,
          actor TEXT NOT NULL,
          at BIGINT NOT NULL);
        CREATE INDEX shipment_dispositions_shipment ON shipment_dispositions(shipment_id, id);
      `,
    },
  },
];
