import type { ScenarioDefinition } from '../src/scenario/scenario.types.js';

/** Nothing goes wrong: the baseline every rule must stay quiet on. */
export const normalDay: ScenarioDefinition = {
  name: 'normal-day',
  description: 'A quiet day: chilled trailers on the A1, A6 and A7 and city deliveries, no incident.',
  expectedAlerts: [],
  devices: 24,
  durationMs: 24 * 3_600_000,
  uplinkIntervalMs: 60_000,
  format: 'json',
  speedup: 600,
  profile: 'chilled',
  routes: [
    'lyon-sqf--paris-rungis',
    'paris-rungis--lille-lesquin',
    'lyon-corbas--marseille-arnavaux',
    'lyon-corbas--lyon-venissieux',
    'paris-rungis--paris-velizy',
    'lille-lesquin--lille-euralille',
    'marseille-arnavaux--marseille-grand-littoral',
    'marseille-clesud--marseille-arnavaux',
    'lille-lesquin--paris-rungis',
    'paris-rungis--lyon-sqf',
    'lille-lomme--lille-englos',
    'paris-gennevilliers--paris-montesson',
  ],
  departureSpreadMs: 6 * 3_600_000,
  affectedDevices: 0,
  incidents: {},
};
