import type { StoreMigration } from '#src/storage/store-migration.js';

/** Migration scope of the fleet's tables (the same scope its SQLite-only versions used). */
export const FLEET_SCOPE = 'fleet';

/**
 * Tables owned by the fleet feature: sites, containers, devices, device bindings (scope `fleet`).
 * On both dialects the database refuses a container whose home site does not exist, a binding of
 * a device or container that does not, a second device with one DevEUI, and deleting a site or
 * container something still refers to. On PostgreSQL ids sort bytewise (`COLLATE "C"`), as on
 * SQLite, so keyset pages are the same.
 *
 * The SQLite file also holds the live state of versions 1 and 2 (`container_state`,
 * `container_state_pages`): read once and emptied by the state feature's legacy import
 * (src/state/container-states.legacy.ts). PostgreSQL never had them: their versions are empty there.
 */
export const FLEET_MIGRATIONS: readonly StoreMigration[] = [
  {
    version: 1,
    description: 'sites, containers, devices, device bindings, container live state',
    up: {
      // Released as it is (SQLite files already carry versions 1–3): never edit, add a migration.
      sqlite: `
      CREATE TABLE sites (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, address TEXT,
        lat REAL NOT NULL, lon REAL NOT NULL, geofence TEXT NOT NULL,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE containers (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, label TEXT NOT NULL,
        site_id TEXT REFERENCES sites(id), notes TEXT,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE devices (
        id TEXT PRIMARY KEY, dev_eui TEXT UNIQUE, format TEXT NOT NULL, model TEXT,
        channel_map TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE device_bindings (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        device_id TEXT NOT NULL REFERENCES devices(id),
        container_id TEXT NOT NULL REFERENCES containers(id),
        bound_at INTEGER NOT NULL, unbound_at INTEGER);
      CREATE INDEX device_bindings_device ON device_bindings(device_id, bound_at);
      CREATE TABLE container_state (
        container_id TEXT PRIMARY KEY REFERENCES containers(id),
        state TEXT NOT NULL, updated_at INTEGER NOT NULL);
    `,
      // The live state is not here: the state feature keeps its own tables on PostgreSQL.
      // device_bindings_container: a delete of a container checks its bindings through it.
      // DEFERRABLE (checked at once unless deferred): `migrate-store --replace` empties and
      // refills a table others refer to in one transaction, and the check waits for its commit.
      postgres: `
        CREATE TABLE sites (
          id TEXT COLLATE "C" PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, address TEXT,
          lat DOUBLE PRECISION NOT NULL, lon DOUBLE PRECISION NOT NULL, geofence TEXT NOT NULL,
          created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
        CREATE TABLE containers (
          id TEXT COLLATE "C" PRIMARY KEY, kind TEXT NOT NULL, label TEXT NOT NULL,
          site_id TEXT COLLATE "C" REFERENCES sites(id) DEFERRABLE INITIALLY IMMEDIATE, notes TEXT,
          created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
        CREATE INDEX containers_site ON containers(site_id);
        CREATE TABLE devices (
          id TEXT COLLATE "C" PRIMARY KEY, dev_eui TEXT UNIQUE, format TEXT NOT NULL, model TEXT,
          channel_map TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
        CREATE TABLE device_bindings (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          device_id TEXT COLLATE "C" NOT NULL REFERENCES devices(id) DEFERRABLE INITIALLY IMMEDIATE,
          container_id TEXT COLLATE "C" NOT NULL
            REFERENCES containers(id) DEFERRABLE INITIALLY IMMEDIATE,
          bound_at BIGINT NOT NULL, unbound_at BIGINT);
        CREATE INDEX device_bindings_device ON device_bindings(device_id, bound_at);
        CREATE INDEX device_bindings_container ON device_bindings(container_id);
      `,
    },
  },
  {
    version: 2,
    description: 'container live state written a page of 1,024 containers at a time',
    up: {
      // One row per page of the in-memory live state: its numbers and presence bits as they are
      // held, its ids as JSON. `container_state` (one JSON row per container) is read once at the
      // next start, then emptied.
      sqlite: `
      CREATE TABLE container_state_pages (
        page INTEGER PRIMARY KEY, numbers BLOB NOT NULL, present BLOB NOT NULL,
        ids TEXT NOT NULL, updated_at INTEGER NOT NULL);
    `,
      postgres: `SELECT 1;`,
    },
  },
  {
    version: 3,
    description: 'the network-server application a LoRaWAN device belongs to',
    up: {
      sqlite: `ALTER TABLE devices ADD COLUMN lorawan_application TEXT;`,
      postgres: `ALTER TABLE devices ADD COLUMN lorawan_application TEXT;`,
    },
  },
];
