import type { StoreMigration } from '#src/storage/store-migration.js';

/** Migration scope of shipments. */
export const SHIPMENTS_SCOPE = 'shipments';

/**
 * Shipments (scope `shipments`). On both dialects the database itself refuses a second active
 * shipment for a container: a partial unique index over the active statuses (ACTIVE_STATUSES).
 *
 * On both dialects the table references the fleet's and profiles' tables (on PostgreSQL since
 * versions 2 and 3, when those tables moved there too). The service checks the references when a
 * shipment is written, and a delete of a container, site or profile asks ShipmentReferences
 * first, on both stores, so the keys only refuse what a race lets through. Ids sort bytewise (`COLLATE "C"`),
 * as on SQLite, so a page's keyset order is the ids' creation order whatever the server's locale.
 */
export const SHIPMENTS_MIGRATIONS: readonly StoreMigration[] = [
  {
    version: 1,
    description: 'shipments, one active shipment per container',
    up: {
      // Released as it is (SQLite files already carry version 1): never edit, add a migration.
      sqlite: `
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
      postgres: `
        CREATE TABLE shipments (
          id TEXT COLLATE "C" PRIMARY KEY,
          container_id TEXT NOT NULL,
          origin_site_id TEXT NOT NULL,
          destination_site_id TEXT NOT NULL,
          profile_id TEXT NOT NULL,
          overrides TEXT,
          planned_departure BIGINT NOT NULL, planned_arrival BIGINT NOT NULL,
          carrier TEXT, reference TEXT,
          status TEXT NOT NULL
            CHECK (status IN ('planned', 'in_transit', 'arrived', 'closed', 'cancelled')),
          departed_at BIGINT, arrived_at BIGINT, closed_at BIGINT, cancelled_at BIGINT,
          created_by TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
        CREATE UNIQUE INDEX shipments_one_active ON shipments(container_id)
          WHERE status IN ('planned', 'in_transit', 'arrived');
        CREATE INDEX shipments_status ON shipments(status, id);
        CREATE INDEX shipments_container ON shipments(container_id, id);
        CREATE INDEX shipments_origin ON shipments(origin_site_id);
        CREATE INDEX shipments_destination ON shipments(destination_site_id);
      `,
    },
  },
  {
    version: 2,
    description: 'shipments name an existing profile (PostgreSQL)',
    up: {
      // SQLite has had this foreign key since version 1; a table's keys cannot be altered there.
      sqlite: `SELECT 1;`,
      // Needs the profiles table: ShipmentsRepository migrates the profiles' scope first.
      // NOT VALID: a database that held shipments before profiles moved to PostgreSQL names
      // profiles this table never had (they are seeded or copied after this migration runs); new
      // and changed shipments, and deletes of profiles, are checked all the same. DEFERRABLE
      // (checked at once unless deferred): `migrate-store --replace` empties and refills the
      // profiles in one transaction, and the check waits for its commit.
      postgres: `
        ALTER TABLE shipments ADD CONSTRAINT shipments_profile_id_fkey
          FOREIGN KEY (profile_id) REFERENCES profiles(id)
          DEFERRABLE INITIALLY IMMEDIATE NOT VALID;
      `,
    },
  },
  {
    version: 3,
    description: 'shipments name an existing container and sites (PostgreSQL)',
    up: {
      // SQLite has had these foreign keys since version 1.
      sqlite: `SELECT 1;`,
      // Needs the fleet's tables: ShipmentsRepository migrates the fleet's scope first. NOT VALID
      // and DEFERRABLE for the reasons of version 2: rows stored before the fleet moved to
      // PostgreSQL are not checked again, and `migrate-store --replace` refills the fleet's
      // tables in one transaction, the check waiting for its commit.
      postgres: `
        ALTER TABLE shipments ADD CONSTRAINT shipments_container_id_fkey
          FOREIGN KEY (container_id) REFERENCES containers(id)
          DEFERRABLE INITIALLY IMMEDIATE NOT VALID;
        ALTER TABLE shipments ADD CONSTRAINT shipments_origin_site_id_fkey
          FOREIGN KEY (origin_site_id) REFERENCES sites(id)
          DEFERRABLE INITIALLY IMMEDIATE NOT VALID;
        ALTER TABLE shipments ADD CONSTRAINT shipments_destination_site_id_fkey
          FOREIGN KEY (destination_site_id) REFERENCES sites(id)
          DEFERRABLE INITIALLY IMMEDIATE NOT VALID;
      `,
    },
  },
];
