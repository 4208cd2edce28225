import { ConfigSlice, from } from '#src/config/config-slice.js';
import { DeploymentSettings } from '#src/config/deployment.config.js';

/** The setting the singleton jobs' leases read: PostgreSQL, where the leases live, when set. */
export class LeasesConfig extends ConfigSlice(from(DeploymentSettings, 'DATABASE_URL')) {}
