import { ConfigSlice } from '#src/config/config-slice.js';

/** A cluster processor's settings: where its partition leases live, and the partition count. */
export class ClusterConfig extends ConfigSlice('DATABASE_URL', 'PARTITIONS') {}
