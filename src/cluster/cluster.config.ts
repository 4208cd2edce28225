import { ConfigSlice, from } from '#src/config/config-slice.js';
import { DeploymentSettings } from '#src/config/deployment.config.js';
import { PartitionsSettings } from '#src/partitions/partitions.config.js';

/** A cluster processor's settings: where its partition leases live, and the partition count. */
export class ClusterConfig extends ConfigSlice(
  from(DeploymentSettings, 'DATABASE_URL'),
  from(PartitionsSettings),
) {}
