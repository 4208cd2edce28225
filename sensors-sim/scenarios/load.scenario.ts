import type { ScenarioDefinition } from '../src/scenario/scenario.types.js';

/** Benchmark load: many parked loggers at a fixed 10 s interval, in real time. */
export const load: ScenarioDefinition = {
  name: 'load',
  description: 'Benchmark: 1,000 parked loggers (scale with --devices) at a fixed 10 s interval, real time.',
  expectedAlerts: [],
  devices: 1000,
  durationMs: 60_000,
  uplinkIntervalMs: 10_000,
  format: 'json',
  speedup: 1,
  profile: 'frozen',
  routes: ['paris-rungis--lille-lesquin', 'lyon-sqf--paris-rungis', 'lyon-corbas--marseille-arnavaux'],
  departureSpreadMs: 0,
  affectedDevices: 0,
  incidents: {},
  parked: true,
};
