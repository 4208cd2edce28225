import { ConfigSlice } from '#src/config/config-slice.js';

/** The setting the singleton jobs' leases read: PostgreSQL, where the leases live, when set. */
export class LeasesConfig extends ConfigSlice('DATABASE_URL') {}
