/** A round hub near Dijon, as the journey tests place it: the geofence a container enters or leaves. */
export interface Hub {
  id: string;
  lat: number;
  lon: number;
  radiusM: number;
}

/** The body of the `POST /sites` that creates {@link Hub}. */
export function hubSiteBody(hub: Hub): string {
  return JSON.stringify({
    id: hub.id,
    name: 'Plateforme Dijon',
    kind: 'hub',
    lat: hub.lat,
    lon: hub.lon,
    geofence: { type: 'circle', radiusM: hub.radiusM },
  });
}
