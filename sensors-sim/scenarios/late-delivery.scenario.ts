import type { ScenarioDefinition } from '../src/scenario/scenario.types.js';

/** An accident closes lanes on the A6 between Auxerre and Nemours: 80 km at walking pace for trucks. */
export const lateDelivery: ScenarioDefinition = {
  name: 'late-delivery',
  description: 'A jam on the A6 between Auxerre and Nemours makes two Lyon → Rungis trailers hours late.',
  expectedAlerts: [
    {
      rule: 'arrival-delay',
      severity: 'warning',
      containers: 'affected',
      why: '80 km at 20 km/h instead of 80 km/h: the ETA slips ~3 h past the planned arrival',
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
  affectedDevices: 2,
  incidents: { slowdowns: [{ fromKm: 300, toKm: 380, kmh: 20 }] },
};
