import type { GeoPoint } from './geo.js';
import { siteById } from './sites.js';

/** A road between two sites: a handful of waypoints following the motorway actually driven. */
export interface Route {
  id: string;
  from: string;
  to: string;
  /** Road the trip follows, for people reading a scenario. */
  via: string;
  waypoints: readonly GeoPoint[];
}

type Wp = readonly [lat: number, lon: number, altM: number];

// Waypoints sit on the motorway near junctions and towns the road passes; straight lines between
// them stay within a few kilometres of the real road, and the trip model adds a winding factor.
const A6_LYON_PARIS: readonly Wp[] = [
  [45.705, 5.02, 230], // A43 / A46 Saint-Priest
  [45.835, 4.955, 190], // A46 Neyron
  [45.958, 4.735, 180], // A6 Anse
  [46.31, 4.81, 175], // Mâcon
  [46.785, 4.85, 180], // Chalon-sur-Saône
  [47.03, 4.84, 220], // Beaune
  [47.265, 4.575, 390], // Pouilly-en-Auxois
  [47.545, 3.955, 250], // Avallon
  [47.8, 3.58, 110], // Auxerre
  [47.98, 3.39, 90], // Joigny
  [48.27, 2.705, 70], // Nemours
  [48.63, 2.43, 80], // Évry
];

const A1_PARIS_LILLE: readonly Wp[] = [
  [48.82, 2.39, 40], // A86 Vitry
  [48.93, 2.36, 35], // Saint-Denis
  [49.01, 2.52, 110], // Roissy
  [49.2, 2.59, 75], // Senlis
  [49.42, 2.72, 60], // Compiègne (Arsy)
  [49.75, 2.79, 90], // Roye
  [49.93, 2.88, 85], // Assevillers
  [50.25, 2.85, 80], // Arras
  [50.47, 3.02, 40], // Carvin
];

const A7_LYON_MARSEILLE: readonly Wp[] = [
  [45.6, 4.83, 160], // Chasse-sur-Rhône
  [45.52, 4.87, 150], // Vienne
  [45.15, 4.84, 130], // Saint-Rambert-d'Albon
  [44.93, 4.89, 120], // Valence
  [44.56, 4.75, 80], // Montélimar
  [44.14, 4.79, 50], // Orange
  [43.93, 4.87, 30], // Avignon Sud
  [43.66, 5.07, 80], // Salon-de-Provence
  [43.48, 5.22, 40], // Vitrolles
  [43.38, 5.34, 60], // Septèmes / A7 Marseille
];

/** Off the A6 through Dijon: the detour of `detour-and-dwell`. */
const A6_DETOUR_DIJON: readonly Wp[] = [
  ...A6_LYON_PARIS.slice(0, 6),
  [47.32, 5.04, 245], // Dijon, zone industrielle (outside any site)
  [47.265, 4.575, 390], // back on the A6 at Pouilly
  ...A6_LYON_PARIS.slice(7),
];

export const ROUTES: readonly Route[] = [
  route('lyon-sqf', 'paris-rungis', 'A43, A46, A6', A6_LYON_PARIS),
  route('paris-rungis', 'lyon-sqf', 'A6, A46, A43', [...A6_LYON_PARIS].reverse()),
  route('lyon-sqf', 'paris-rungis', 'A6 via Dijon', A6_DETOUR_DIJON, 'lyon-paris-detour-dijon'),
  route('paris-rungis', 'lille-lesquin', 'A86, A1', A1_PARIS_LILLE),
  route('lille-lesquin', 'paris-rungis', 'A1, A86', [...A1_PARIS_LILLE].reverse()),
  route('lyon-corbas', 'marseille-arnavaux', 'A7', A7_LYON_MARSEILLE),
  route('marseille-arnavaux', 'lyon-corbas', 'A7', [...A7_LYON_MARSEILLE].reverse()),
  route('marseille-clesud', 'marseille-arnavaux', 'N569, A7', [[43.46, 5.23, 30]]),
  route('lyon-corbas', 'lyon-venissieux', 'D148, boulevard urbain', [[45.69, 4.895, 200]]),
  route('lyon-sqf', 'lyon-venissieux', 'A43', [[45.7, 5.0, 220]]),
  route('paris-rungis', 'paris-velizy', 'A86', [[48.77, 2.29, 110]]),
  route('paris-gennevilliers', 'paris-montesson', 'A86', [[48.925, 2.21, 35]]),
  route('lille-lesquin', 'lille-euralille', 'A1', [[50.61, 3.09, 30]]),
  route('lille-lomme', 'lille-englos', 'A25', [[50.633, 2.97, 30]]),
  route('marseille-arnavaux', 'marseille-grand-littoral', 'A7, A55', [[43.355, 5.365, 30]]),
  route('marseille-arnavaux', 'marseille-merlan', 'L2', [[43.337, 5.398, 60]]),
];

function route(from: string, to: string, via: string, wps: readonly Wp[], id?: string): Route {
  const waypoints = [
    siteById(from).location,
    ...wps.map(([lat, lon, altM]) => ({ lat, lon, altM })),
    siteById(to).location,
  ];
  return { id: id ?? `${from}--${to}`, from, to, via, waypoints };
}

export function routeById(id: string): Route {
  const found = ROUTES.find((r) => r.id === id);
  if (!found) throw new Error(`unknown route ${id}; known: ${ROUTES.map((r) => r.id).join(', ')}`);
  return found;
}
