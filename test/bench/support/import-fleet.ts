import { containerId } from './bench-fleet.js';

/** Sites of the import benches: their containers are spread over them. */
export const IMPORT_SITES = 100;

/**
 * The fleet description the import benches import (fleet-store.bench.ts, the pipeline bench's
 * `fleet-import`): {@link IMPORT_SITES} sites and `containers` bench containers, each homed at one
 * of them, no devices.
 */
export function importFleet(containers: number) {
  return {
    sites: Array.from({ length: IMPORT_SITES }, (_, i) => ({
      id: `BS-${i}`,
      name: `Site ${i}`,
      kind: 'supermarket',
      lat: 45 + i / 100,
      lon: 5,
      geofence: { type: 'circle', radiusM: 300 },
    })),
    containers: Array.from({ length: containers }, (_, i) => ({
      id: containerId(i),
      kind: 'roll-cage',
      label: `Container ${i}`,
      siteId: `BS-${i % IMPORT_SITES}`,
    })),
    devices: [],
  };
}
