import type { ScenarioDefinition } from '../src/scenario/scenario.types.js';

/** The refrigeration unit of one trailer stops on the A6; the box drifts to ambient (τ = 4 h). */
export const coldChainBreak: ScenarioDefinition = {
  name: 'cold-chain-break',
  description: 'Compressor failure on the A6 two hours after leaving Lyon: chilled-4 goods warm past +4 °C.',
  expectedAlerts: [
    {
      rule: 'temperature-high',
      severity: 'critical',
      containers: 'affected',
      why: 'air crosses +4 °C ~15 min after the unit stops and stays above it 15 min (the tolerated excursion)',
    },
    {
      rule: 'temperature-cumulative',
      severity: 'warning',
      containers: 'affected',
      why: 'an hour out of range over the shipment uses up the chilled budget; critical after two hours',
    },
  ],
  devices: 6,
  durationMs: 8 * 3_600_000,
  uplinkIntervalMs: 60_000,
  format: 'json',
  speedup: 600,
  profile: 'chilled',
  routes: ['lyon-sqf--paris-rungis', 'lyon-corbas--marseille-arnavaux', 'paris-rungis--lille-lesquin'],
  departureSpreadMs: 20 * 60_000,
  affectedDevices: 1,
  incidents: { compressorFailureAtMs: 2 * 3_600_000 },
};
