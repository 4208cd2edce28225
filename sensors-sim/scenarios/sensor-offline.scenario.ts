import type { ScenarioDefinition } from '../src/scenario/scenario.types.js';

/** Two loggers go silent for 90 min (unplugged antenna), then upload what they buffered. */
export const sensorOffline: ScenarioDefinition = {
  name: 'sensor-offline',
  description: 'Two loggers stop reporting for 90 min, then send their buffered readings as one batch.',
  expectedAlerts: [
    {
      rule: 'device-offline',
      severity: 'warning',
      containers: 'affected',
      why: 'nothing for 3 × the 5 min interval of the chilled profile; clears when the batch arrives',
    },
    {
      rule: 'temperature-offline',
      severity: 'warning',
      containers: 'affected',
      why: 'a hole in the temperature record; critical after 1 h; clears when the batch arrives',
    },
  ],
  devices: 6,
  durationMs: 6 * 3_600_000,
  uplinkIntervalMs: 60_000,
  format: 'json',
  speedup: 600,
  profile: 'chilled',
  routes: ['paris-rungis--lille-lesquin', 'lyon-corbas--marseille-arnavaux'],
  departureSpreadMs: 30 * 60_000,
  affectedDevices: 2,
  incidents: { offline: { fromMs: 2 * 3_600_000, durationMs: 90 * 60_000, buffered: true } },
};
