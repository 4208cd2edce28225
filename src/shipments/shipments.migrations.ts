import type { Migration } from '#src/storage/migration.js';

/** Shipments (scope `shipments`); references the fleet's and profiles' tables. */
export const SHIPMENTS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'shipments, one active shipment per container',
    up: `
      CREATE TABLE shipments (
        id TEXT PRIMARY KEY,
        container_id TEXT NOT NULL REFERENCES containers(id),
        origin_site_id TEXT NOT NULL REFERENCES sites(id),
        destination_site_id TEXT NOT NULL REFERENCES sites(id),
        profile_id TEXT NOT NULL REFERENCES profiles(id),
        overrides TEXT,
        planned_departure INTEGER NOT NULL, planned_arrival INTEGER NOT NULL,
        carrier TEXT, reference TEXT, status TEXT NOT NULL,
        departed_at INTEGER, arrived_at INTEGER, closed_at INTEGER, cancelled_at INTEGER,
        created_by TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      -- The database itself refuses a second active shipment for a container.
      CREATE UNIQUE INDEX shipments_one_active ON shipments(container_id)
        WHERE status IN ('planned', 'in_transit', 'arrived');
      CREATE INDEX shipments_status ON shipments(status, id);
      CREATE INDEX shipments_origin ON shipments(origin_site_id);
      CREATE INDEX shipments_destination ON shipments(destination_site_id);
    `,
  },
];
