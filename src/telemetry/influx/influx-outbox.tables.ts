import type { Generated } from 'kysely';

/** The outbox's tables as Kysely sees them (influx-outbox.migrations.ts creates them). Times in epoch ms. */
export type InfluxOutboxTables = {
  influx_outbox: {
    id: Generated<number>;
    created_at: number;
    line_count: number;
    /** Line protocol as written, joined by newlines (a line never holds one). */
    lines: string;
    attempts: Generated<number>;
    last_error: string | null;
    /** The writer that queued the row ('' for none: SQLite, a requeued dead letter). */
    node: string;
  };
  influx_dead_letter: {
    id: Generated<number>;
    created_at: number;
    line_count: number;
    lines: string;
    status: number;
    reason: string;
  };
};
