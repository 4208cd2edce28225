import { ConfigSlice, from } from '#src/config/config-slice.js';
import { DeploymentSettings } from '#src/config/deployment.config.js';

/** The setting that chooses the operational store: PostgreSQL when set, SQLite in DATA_DIR otherwise. */
export class OperationalStoreConfig extends ConfigSlice(from(DeploymentSettings, 'DATABASE_URL')) {}

/** Where this node's SQLite files are (`DATA_DIR`). */
export class DataDirConfig extends ConfigSlice(from(DeploymentSettings, 'DATA_DIR')) {}
