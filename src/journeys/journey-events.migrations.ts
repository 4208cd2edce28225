import type { StoreMigration } from '#src/storage/store-migration.js';

/** Migration scope of the journey event log in the operational store. */
export const JOURNEY_EVENTS_SCOPE = 'journey-events';

/** The same text on both stores: `coalesce` and expression indexes are in both dialects. */
const ONE_ROW_PER_EVENT = `
  DELETE FROM journey_events WHERE id NOT IN (
    SELECT min(id) FROM journey_events
    GROUP BY container_id, type, at, coalesce(site_id, ''), coalesce(detail, ''));
  CREATE UNIQUE INDEX journey_events_once
    ON journey_events(container_id, type, at, coalesce(site_id, ''), coalesce(detail, ''));
`;

/**
 * The journey event log (scope `journey-events`): on PostgreSQL its own table; on SQLite the
 * table version 1 of the `journeys` scope made (journey.migrations.ts, released).
 */
export const JOURNEY_EVENTS_MIGRATIONS: readonly StoreMigration[] = [
  {
    version: 1,
    description: 'journey events (a shipment record’s departures, stops, geofence crossings)',
    up: {
      // Made by version 1 of the `journeys` scope, which the repository runs first: nothing to do.
      sqlite: `-- journey_events: journey.migrations.ts`,
      postgres: `
        CREATE TABLE journey_events (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          container_id TEXT NOT NULL,
          shipment_id TEXT,
          type TEXT NOT NULL,
          site_id TEXT,
          site_kind TEXT,
          at BIGINT NOT NULL,
          until BIGINT,
          lat DOUBLE PRECISION, lon DOUBLE PRECISION,
          detail TEXT);
        CREATE INDEX journey_events_container ON journey_events(container_id, at);
        CREATE INDEX journey_events_shipment ON journey_events(shipment_id, at) WHERE shipment_id IS NOT NULL;
        CREATE INDEX journey_events_at ON journey_events(type, at);
      `,
    },
  },
  {
    version: 2,
    description: 'one row per journey event: a replayed reading adds no second one',
    // A reading replayed (a new partition owner from its checkpoint, a crash between an event and
    // the state it explains) concludes the same event again, equal column for column. The key is
    // what tells two events of a container apart; rows stored twice before are dropped first.
    up: { sqlite: ONE_ROW_PER_EVENT, postgres: ONE_ROW_PER_EVENT },
  },
];
