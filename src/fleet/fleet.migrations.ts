import type { Migration } from '#src/storage/migration.js';

/** Tables owned by the fleet feature: sites, containers, devices, bindings, live state. */
export const FLEET_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'sites, containers, devices, device bindings, container live state',
    up: `
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
  },
  {
    version: 2,
    description: 'container live state written a page of 1,024 containers at a time',
    // One row per page of the in-memory live state: its numbers and presence bits as they are
    // held, its ids as JSON. `container_state` (one JSON row per container) is read once at the
    // next start, then emptied.
    up: `
      CREATE TABLE container_state_pages (
        page INTEGER PRIMARY KEY, numbers BLOB NOT NULL, present BLOB NOT NULL,
        ids TEXT NOT NULL, updated_at INTEGER NOT NULL);
    `,
  },
  {
    version: 3,
    description: 'the network-server application a LoRaWAN device belongs to',
    up: `ALTER TABLE devices ADD COLUMN lorawan_application TEXT;`,
  },
];
