import type { World } from '../world/fleet.js';
import { SITES } from '../world/sites.js';

/**
 * The REST bodies `provision` sends, all in one place so they follow the API as it settles
 * (DESIGN.md §7). Times are ISO-8601 UTC; ids are the simulator's deterministic ones.
 */
export interface ProvisionRequest {
  path: '/api/v1/sites' | '/api/v1/containers' | '/api/v1/devices' | '/api/v1/shipments';
  id: string;
  body: Record<string, unknown>;
}

/** Requests in dependency order: sites, containers, devices, shipments. */
export function provisionRequests(world: World, format: string): ProvisionRequest[] {
  const requests: ProvisionRequest[] = [];
  for (const site of SITES) {
    requests.push({
      path: '/api/v1/sites',
      id: site.id,
      body: {
        id: site.id,
        name: site.name,
        kind: site.kind,
        lat: site.location.lat,
        lon: site.location.lon,
        radiusM: site.radiusM,
      },
    });
  }
  for (const d of world.devices) {
    requests.push({
      path: '/api/v1/containers',
      id: d.containerId,
      body: { id: d.containerId, name: `Reefer trailer ${d.containerId}`, profile: d.profile.id },
    });
  }
  for (const d of world.devices) {
    requests.push({
      path: '/api/v1/devices',
      id: d.deviceId,
      body: {
        id: d.deviceId,
        containerId: d.containerId,
        model: 'convoi-sim-lpp',
        source: format,
        devEui: d.devEui,
        // MQTT credentials of a device speaking JSON directly: username = device id.
        secret: d.secret,
        expectedIntervalS: Math.round(d.uplinkIntervalMs / 1000),
      },
    });
  }
  for (const d of world.devices) {
    for (const trip of d.trips) {
      requests.push({
        path: '/api/v1/shipments',
        id: trip.shipmentId,
        body: {
          id: trip.shipmentId,
          containerId: d.containerId,
          profile: d.profile.id,
          originSiteId: trip.plan.route.from,
          destinationSiteId: trip.plan.route.to,
          plannedDepartureAt: new Date(trip.plan.startMs).toISOString(),
          plannedArrivalAt: new Date(trip.plannedArrivalMs).toISOString(),
        },
      });
    }
  }
  return requests;
}
