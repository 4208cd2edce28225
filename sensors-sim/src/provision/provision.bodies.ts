import type { ProfileId } from '../physics/reefer.physics.js';
import type { World } from '../world/fleet.js';
import { SITES, type Site } from '../world/sites.js';

/**
 * The REST requests `provision` sends, all in one place so they follow the API's DTOs
 * (src/fleet/dto, src/shipments/dto). Times are ISO-8601 UTC; ids are the simulator's
 * deterministic ones, except shipment ids, which convoi assigns.
 */
export interface ProvisionRequest {
  what: 'site' | 'container' | 'device' | 'binding' | 'shipment';
  /** Id of the thing registered (for a binding, the device). */
  id: string;
  path: string;
  body: Record<string, unknown>;
  /**
   * Already done when `GET doneWhen.path` answers with `field` equal to `equals`: a binding
   * cannot be POSTed twice (its time must move forward), so it is checked first.
   */
  doneWhen?: { path: string; field: string; equals: string };
}

/** convoi's product profile for each simulated reefer set-up (src/profiles). */
export const PLATFORM_PROFILE: Readonly<Record<ProfileId, string>> = {
  chilled: 'chilled-4',
  frozen: 'frozen',
  'fresh-produce': 'fresh-produce',
};

const SITE_KIND: Readonly<Record<Site['kind'], string>> = { depot: 'warehouse', hypermarket: 'hypermarket' };

/**
 * Requests in dependency order: sites, containers, devices, bindings (from the world's start, so
 * every simulated reading is attributed), then one shipment per container for its first trip:
 * convoi keeps at most one active shipment per container, and the later trips reuse it.
 */
export function provisionRequests(world: World, format: string): ProvisionRequest[] {
  const requests: ProvisionRequest[] = SITES.map((site) => ({
    what: 'site',
    id: site.id,
    path: '/api/v1/sites',
    body: {
      id: site.id,
      name: site.name,
      kind: SITE_KIND[site.kind],
      lat: site.location.lat,
      lon: site.location.lon,
      geofence: { type: 'circle', radiusM: site.radiusM },
    },
  }));
  for (const d of world.devices) {
    requests.push({
      what: 'container',
      id: d.containerId,
      path: '/api/v1/containers',
      body: {
        id: d.containerId,
        kind: 'reefer',
        label: `Reefer trailer ${d.containerId}`,
        siteId: d.homeSite.id,
      },
    });
  }
  for (const d of world.devices) {
    requests.push({
      what: 'device',
      id: d.deviceId,
      path: '/api/v1/devices',
      body: {
        id: d.deviceId,
        format,
        model: 'convoi-sim',
        ...(format === 'json' ? {} : { devEui: d.devEui }),
      },
    });
  }
  for (const d of world.devices) {
    requests.push({
      what: 'binding',
      id: d.deviceId,
      path: `/api/v1/devices/${d.deviceId}/bind`,
      body: { containerId: d.containerId, at: new Date(world.startMs).toISOString() },
      doneWhen: { path: `/api/v1/devices/${d.deviceId}`, field: 'containerId', equals: d.containerId },
    });
  }
  for (const d of world.devices) {
    const trip = d.trips[0];
    if (!trip) continue;
    requests.push({
      what: 'shipment',
      id: trip.shipmentId,
      path: '/api/v1/shipments',
      body: {
        containerId: d.containerId,
        originSiteId: trip.plan.route.from,
        destinationSiteId: trip.plan.route.to,
        profileId: PLATFORM_PROFILE[d.profile.id],
        plannedDeparture: new Date(trip.plan.startMs).toISOString(),
        plannedArrival: new Date(trip.plannedArrivalMs).toISOString(),
        carrier: 'convoi-sim',
        reference: trip.shipmentId,
      },
    });
  }
  return requests;
}
