import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The id of the `d`-th device of a cluster fleet, and of the container it is bound to. */
export const clusterDeviceId = (d: number): string => `sensor-cl-${String(d).padStart(2, '0')}`;
export const clusterContainerId = (d: number): string => `CL-${String(d).padStart(2, '0')}`;
/** The fleet's two sites: the depot its containers are at, and a store to ship to. */
export const CLUSTER_DEPOT = 'DC-CL';
export const CLUSTER_STORE = 'ST-CL';

/**
 * A fleet of `devices` containers with one JSON device each, on one site, written as a seed file
 * (FLEET_SEED_FILE) in `dir` for every node of a cluster to import: the containers spread over
 * the partitions as any fleet's do.
 */
export function writeClusterSeed(dir: string, devices: number): string {
  const path = join(dir, 'fleet.json');
  const ids = Array.from({ length: devices }, (_, d) => d);
  writeFileSync(
    path,
    JSON.stringify({
      sites: [
        {
          id: CLUSTER_DEPOT,
          name: 'Cluster depot',
          kind: 'warehouse',
          lat: 45.64,
          lon: 5.11,
          geofence: { type: 'circle', radiusM: 400 },
        },
        // A destination for the shipments a test starts from the depot.
        {
          id: CLUSTER_STORE,
          name: 'Cluster store',
          kind: 'supermarket',
          lat: 45.76,
          lon: 4.83,
          geofence: { type: 'circle', radiusM: 200 },
        },
      ],
      containers: ids.map((d) => ({
        id: clusterContainerId(d),
        kind: 'reefer',
        label: clusterContainerId(d),
        siteId: CLUSTER_DEPOT,
      })),
      devices: ids.map((d) => ({
        id: clusterDeviceId(d),
        format: 'json',
        containerId: clusterContainerId(d),
      })),
    }),
  );
  return path;
}
