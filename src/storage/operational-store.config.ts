import { ConfigSlice } from '#src/config/config-slice.js';

/** The setting that chooses the operational store: PostgreSQL when set, SQLite in DATA_DIR otherwise. */
export class OperationalStoreConfig extends ConfigSlice('DATABASE_URL') {}
