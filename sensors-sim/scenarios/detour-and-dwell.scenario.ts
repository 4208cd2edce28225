import type { ScenarioDefinition } from '../src/scenario/scenario.types.js';

/**
 * One Lyon → Paris trailer leaves the A6 at Beaune for Dijon and stands three hours in an
 * industrial zone that is no convoi site, then rejoins the A6 at Pouilly-en-Auxois.
 */
export const detourAndDwell: ScenarioDefinition = {
  name: 'detour-and-dwell',
  description: 'A trailer detours through Dijon and stands 3 h outside any site before reaching Rungis late.',
  expectedAlerts: [
    {
      rule: 'dwell',
      severity: 'warning',
      containers: 'affected',
      why: 'stopped 3 h in Dijon, outside any site (longer than JOURNEY_DWELL_MAX_MIN)',
    },
    {
      rule: 'arrival-delay',
      severity: 'warning',
      containers: 'affected',
      why: 'the detour and the stop push the ETA ~3.5 h past the planned arrival',
    },
  ],
  devices: 4,
  durationMs: 12 * 3_600_000,
  uplinkIntervalMs: 60_000,
  format: 'json',
  speedup: 600,
  profile: 'chilled',
  routes: ['lyon-sqf--paris-rungis'],
  departureSpreadMs: 30 * 60_000,
  affectedDevices: 1,
  incidents: {
    routeOverride: 'lyon-paris-detour-dijon',
    // Path position of the Dijon waypoint on that route (see world/routes.ts).
    dwells: [{ atKm: 203.6, durationMs: 3 * 3_600_000 }],
  },
};
