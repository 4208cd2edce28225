import type { GeoPoint } from './geo.js';

export type SiteKind = 'depot' | 'hypermarket';

/** A place where goods are loaded or unloaded: a logistics depot or a store's receiving dock. */
export interface Site {
  id: string;
  name: string;
  kind: SiteKind;
  city: 'Lyon' | 'Paris' | 'Lille' | 'Marseille';
  location: GeoPoint;
  /** Radius of the site's geofence, metres. */
  radiusM: number;
}

/**
 * Real French food-logistics places, coordinates from public maps (accurate to a few hundred
 * metres: enough for geofences of several hundred metres, not for a dock door).
 */
export const SITES: readonly Site[] = [
  depot('lyon-sqf', 'Parc logistique de Chesnes, Saint-Quentin-Fallavier', 'Lyon', 45.6325, 5.1185, 240),
  depot('lyon-corbas', 'Marché de gros Lyon-Corbas', 'Lyon', 45.6725, 4.908, 200),
  depot('paris-rungis', 'Marché international de Rungis', 'Paris', 48.756, 2.351, 85),
  depot('paris-gennevilliers', 'Port de Gennevilliers', 'Paris', 48.935, 2.29, 30),
  depot('lille-lesquin', 'Centre régional de transport Lille-Lesquin', 'Lille', 50.5885, 3.12, 40),
  depot('lille-lomme', 'Marché de gros Lille-Lomme', 'Lille', 50.645, 2.981, 25),
  depot('marseille-arnavaux', 'Marché d’intérêt national des Arnavaux', 'Marseille', 43.3345, 5.391, 40),
  depot('marseille-clesud', 'Clésud, Grans-Miramas', 'Marseille', 43.585, 5.015, 50),
  store('lyon-venissieux', 'Carrefour Vénissieux', 'Lyon', 45.7065, 4.887, 190),
  store('paris-velizy', 'Auchan Vélizy 2', 'Paris', 48.783, 2.221, 170),
  store('paris-montesson', 'Carrefour Montesson', 'Paris', 48.909, 2.148, 40),
  store('lille-englos', 'Auchan Englos', 'Lille', 50.625, 2.959, 35),
  store('lille-euralille', 'Carrefour Euralille', 'Lille', 50.637, 3.075, 25),
  store('marseille-grand-littoral', 'Carrefour Grand Littoral', 'Marseille', 43.364, 5.348, 60),
  store('marseille-merlan', 'Carrefour Le Merlan', 'Marseille', 43.339, 5.405, 80),
];

function depot(id: string, name: string, city: Site['city'], lat: number, lon: number, altM: number): Site {
  return { id, name, kind: 'depot', city, location: { lat, lon, altM }, radiusM: 600 };
}

function store(id: string, name: string, city: Site['city'], lat: number, lon: number, altM: number): Site {
  return { id, name, kind: 'hypermarket', city, location: { lat, lon, altM }, radiusM: 300 };
}

export function siteById(id: string): Site {
  const site = SITES.find((s) => s.id === id);
  if (!site) throw new Error(`unknown site ${id}`);
  return site;
}
