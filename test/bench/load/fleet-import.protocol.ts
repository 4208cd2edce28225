/** Bench → fleet import process: start convoi on a store, then import the bench fleet into it. */
export type FleetImportCommand =
  | {
      type: 'start';
      /** A fresh PostgreSQL database, or none: SQLite in a temp data dir. */
      databaseUrl?: string;
    }
  | { type: 'import'; containers: number };

/** Fleet import process → bench. */
export type FleetImportReport =
  | { type: 'started' }
  | {
      type: 'imported';
      /** Seconds `FleetImportService.import` took, validation to announcement. */
      wallS: number;
      /** CPU of this process (every thread) over those seconds. */
      convoiCpuS: number;
      /** Seconds of them the main thread was idle: waiting for the store (PostgreSQL's statements). */
      mainIdleS: number;
      containers: number;
    };
