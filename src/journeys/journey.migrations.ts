import type { Migration } from '#src/storage/migration.js';

/** Journeys (scope `journeys`): trackers' state per container and the journey event log. */
export const JOURNEY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'journey state per container, journey events',
    up: `
      CREATE TABLE journey_state (
        container_id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        updated_at INTEGER NOT NULL);
      CREATE TABLE journey_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        container_id TEXT NOT NULL,
        shipment_id TEXT,
        type TEXT NOT NULL,
        site_id TEXT,
        site_kind TEXT,
        at INTEGER NOT NULL,
        until INTEGER,
        lat REAL, lon REAL,
        detail TEXT);
      CREATE INDEX journey_events_container ON journey_events(container_id, at);
      CREATE INDEX journey_events_shipment ON journey_events(shipment_id, at) WHERE shipment_id IS NOT NULL;
      CREATE INDEX journey_events_at ON journey_events(type, at);
    `,
  },
];
